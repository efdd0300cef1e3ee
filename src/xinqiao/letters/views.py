"""Letterbox pages: a pupil writes (named or anonymous) and reads the replies; the counseling
side reads, answers and dismisses false-alarm flags; anyone with a pickup code reads the
replies to an anonymous letter, and nothing else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.access import get_or_refuse, record_read
from xinqiao.core.decorators import permission_required
from xinqiao.core.net import client_address
from xinqiao.crisis.phrases import flags_of, phrase_flag_dismiss
from xinqiao.letters import selectors, services
from xinqiao.letters.access import get_letter_or_refuse
from xinqiao.letters.forms import FlagDismissForm, LetterForm, PickupForm, ReplyForm
from xinqiao.letters.models import Letter


@permission_required("letters.send_letter")
def write(request):
    if request.method != "POST":
        form = LetterForm(initial={"submission_key": services.new_submission_key()})
        return render(request, "letters/write.html", {"form": form})
    form = LetterForm(request.POST)
    if form.is_valid():
        school = selectors.writer_school(request.user)
        try:
            sent = services.letter_send(
                writer=request.user,
                school=school,
                body=form.cleaned_data["body"],
                anonymous=form.cleaned_data["anonymous"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if sent.pickup_code:
                # Shown in this answer only (never stored, never in a redirect or the session).
                return render(request, "letters/sent.html", {"code": sent.pickup_code})
            messages.success(request, _("Your letter has been sent to the counseling room."))
            return redirect("letters:detail", pk=sent.letter.pk)
    return render(request, "letters/write.html", {"form": form}, status=400)


@permission_required("letters.send_letter")
def mine(request):
    letters = Letter.objects.for_user(request.user).filter(writer=request.user)
    page = Paginator(letters.order_by("-sent_on", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "letters/mine.html", {"page": page})


@login_required
def detail(request, pk: int):
    return _render_detail(request, get_letter_or_refuse(request, pk))


def _render_detail(request, letter: Letter, *, reply_form=None, dismiss=None, status=200):
    staff = request.user.has_perm("letters.reply_letter", letter)
    flags = []
    if staff:
        record_read(request, letter, basis="counseling staff of the school")
        flags = list(flags_of(letter).select_related("alert", "dismissed_by"))
        for flag in flags:
            flag.form = dismiss[1] if dismiss and dismiss[0] == flag.pk else FlagDismissForm()
    return render(
        request,
        "letters/detail.html",
        {
            "letter": letter,
            "staff": staff,
            "flags": flags,
            "replies": letter.replies.select_related("author"),
            "reply_form": reply_form or ReplyForm(),
        },
        status=status,
    )


@login_required
@require_POST
def reply(request, pk: int):
    letter = get_letter_or_refuse(request, pk, "letters.reply_letter")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.letter_reply(actor=request.user, letter=letter, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The reply has been sent."))
            return redirect("letters:detail", pk=letter.pk)
    return _render_detail(request, letter, reply_form=form, status=400)


@login_required
@require_POST
def flag_dismiss(request, pk: int, flag_pk: int):
    letter = get_letter_or_refuse(request, pk, "letters.reply_letter")
    flag = get_or_refuse(
        request, flags_of(letter).select_related("alert"), flag_pk, "crisis.dismiss_flag"
    )
    form = FlagDismissForm(request.POST)
    if form.is_valid():
        try:
            phrase_flag_dismiss(actor=request.user, flag=flag, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The flag is dismissed as a false alarm."))
            return redirect("letters:detail", pk=letter.pk)
    return _render_detail(request, letter, dismiss=(flag.pk, form), status=400)


@permission_required("letters.view_letterbox")
def letterbox(request):
    shown = request.GET.get("shown", "unanswered")
    if shown not in selectors.FILTERS:
        shown = "unanswered"
    letters = selectors.letterbox(request.user, shown)
    page = Paginator(letters, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "letters/letterbox.html",
        {"page": page, "shown": shown, "cutoff": services.overdue_cutoff()},
    )


def pickup(request):
    """Open to anyone, signed in or not (a shared computer): the code is the key, and the page
    shows the replies to its letter only, never the letter."""
    if request.method != "POST":
        return render(request, "letters/pickup.html", {"form": PickupForm()})
    form = PickupForm(request.POST)
    if form.is_valid():
        try:
            letter = services.letter_for_pickup_code(
                form.cleaned_data["code"], address=client_address(request)
            )
        except services.TooManyGuesses:
            form.add_error(
                "code", _("Too many wrong codes. Wait a quarter of an hour before trying again.")
            )
            return render(request, "letters/pickup.html", {"form": form}, status=429)
        if letter is not None:
            response = render(
                request,
                "letters/pickup.html",
                {"form": PickupForm(), "letter": letter, "replies": letter.replies.all()},
            )
            response["Cache-Control"] = "no-store"
            return response
        form.add_error("code", _("No letter has this pickup code. Check it and try again."))
    return render(request, "letters/pickup.html", {"form": form}, status=400)
