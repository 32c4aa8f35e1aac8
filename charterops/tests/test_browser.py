import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_signs_in_to_the_back_office_on_a_phone(phone, artifact):
    from charterops.tests.factories import make_org, make_owner

    make_owner(make_org("queenofsandiego"), "olivia")
    phone.goto("/admin/login/")
    phone.fill("#id_username", "olivia")
    phone.fill("#id_password", "pw-for-tests")
    phone.click("input[type=submit]")
    phone.wait_for_url("**/admin/")
    assert "CharterOps back office" in phone.title()
    phone.screenshot(path=artifact("admin-index-phone.png"))
