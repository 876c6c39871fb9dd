"""The S3 backend (any S3-compatible store: AWS, MinIO, Ceph RGW, OSS/COS in S3 mode) through
boto3, whose clients are thread-safe: one per process, called from worker threads."""

from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from gpcloud.settings import Settings

MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Backend:
    def __init__(self, bucket: str, prefix: str, client):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Backend:
        bucket, _, prefix = settings.storage_url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError("GPCLOUD_STORAGE_URL s3://bucket/prefix names no bucket")
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.storage_s3_endpoint or None,
            region_name=settings.storage_s3_region or None,
            aws_access_key_id=settings.storage_s3_access_key or None,
            aws_secret_access_key=settings.storage_s3_secret_key or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32),
        )
        return cls(bucket, prefix, client)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
