from datetime import timedelta

from django.utils import timezone

from charterops.celery import app as celery_app
from charterops.models import RevokedToken
from crew.magic_links import magic_link_create
from crew.models import MagicLink
from crew.tasks import sign_in_rows_prune


def test_long_expired_links_and_dead_revocations_are_pruned(deckhand):
    now = timezone.now()
    old, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=MagicLink.Purpose.SIGN_IN)
    recent, _ = magic_link_create(crew_member=deckhand, deep_link="/crew/", purpose=MagicLink.Purpose.SIGN_IN)
    MagicLink.objects.filter(pk=old.pk).update(expires_at=now - timedelta(days=31))
    MagicLink.objects.filter(pk=recent.pk).update(expires_at=now - timedelta(days=1))
    RevokedToken.objects.create(jti="dead", expires_at=now - timedelta(seconds=1))
    RevokedToken.objects.create(jti="alive", expires_at=now + timedelta(days=3))

    assert sign_in_rows_prune() == "deleted 1 magic links and 1 token revocations"

    assert list(MagicLink.objects.values_list("pk", flat=True)) == [recent.pk]
    assert list(RevokedToken.objects.values_list("jti", flat=True)) == ["alive"]


def test_the_prune_is_on_the_beat_schedule():
    assert celery_app.conf.beat_schedule["sign-in-rows-prune"]["task"] == "crew.tasks.sign_in_rows_prune"
