from django.core.management import BaseCommand, CommandError

from xinqiao.screening.library import BUILT_IN_DIR, load_library, school_scales_dir


class Command(BaseCommand):
    help = (
        "Check every scale definition (built in and in <data dir>/scales/): each file that "
        "does not load is named with its line and the problem."
    )

    def handle(self, *args, **options):
        library, errors = load_library()
        for error in errors:
            self.stderr.write(error)
        for (scale_id, version), definition in sorted(library.definitions.items()):
            state = "ready" if definition.administrable else "scoring only"
            if definition.licence.status == "unverified":
                state += ", licence unverified"
            elif not definition.languages:
                state += ", no wording"
            self.stdout.write(
                f"{scale_id} {version}\t{state}\t{definition.licence.holder}\t"
                f"{library.files[(scale_id, version)]}"
            )
        if errors:
            raise CommandError(f"{len(errors)} scale file(s) cannot be used.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(library.definitions)} scale(s) loaded from {BUILT_IN_DIR} "
                f"and {school_scales_dir()}."
            )
        )
