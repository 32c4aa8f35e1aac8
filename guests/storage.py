"""Where a brand's guest pages and photos live.

`storage_for(org)` is the brand's own S3 bucket when it has one, otherwise the default
S3 bucket under `brands/<slug>/` when S3 is configured, otherwise the local file system
under MEDIA_ROOT/brands/<slug>/. Each brand therefore has a separate namespace even when
two brands use the same event slug.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, Http404

from charterops.models import Organization


def _s3_storage(*, bucket_name: str, location: str = "") -> Storage:
    from storages.backends.s3 import S3Storage

    return S3Storage(
        bucket_name=bucket_name,
        location=location,
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        region_name=settings.AWS_S3_REGION_NAME,
        default_acl=None,
        file_overwrite=True,
        # Guest pages are the only objects written through this storage (photos arrive by
        # presigned POST), so the Cache-Control applies to them.
        object_parameters={"CacheControl": settings.GUEST_PAGE_CACHE_CONTROL},
    )


def uses_s3(organization: Organization) -> bool:
    return bool(organization.storage_bucket or settings.AWS_STORAGE_BUCKET_NAME)


def storage_for(organization: Organization) -> Storage:
    """The brand's storage for guest pages and photos."""
    if organization.storage_bucket:
        return _s3_storage(bucket_name=organization.storage_bucket)
    if settings.AWS_STORAGE_BUCKET_NAME:
        return _s3_storage(bucket_name=settings.AWS_STORAGE_BUCKET_NAME, location=f"brands/{organization.slug}")
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "brands" / organization.slug, allow_overwrite=True)


def photo_response(photo, *, cache_control: str) -> FileResponse:
    """A photo's file from its brand's storage as a response (404 when the file is gone)."""
    try:
        content = storage_for(photo.organization).open(photo.key, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such photo.") from None
    response = FileResponse(content, content_type=photo.content_type)
    response["Cache-Control"] = cache_control
    return response
