import pytest

from .scenario import populate


@pytest.fixture
def ours(org):
    return populate(org, "Sandpiper")


@pytest.fixture
def theirs(other_org):
    return populate(other_org, "Zanzibar")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
