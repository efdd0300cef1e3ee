from django.db import models

from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.tenancy import SchoolScopedModel


class SecretNote(SchoolScopedModel):
    title = models.CharField(max_length=100)
    body = EncryptedTextField()
