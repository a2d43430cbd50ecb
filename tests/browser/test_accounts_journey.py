"""Browser journey: register an organisation, land on the role's home page, sign out, sign back in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import confirm_registration, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_register_login_home_logout(page, shot, app):
    page.goto("/")
    expect(page.get_by_role("heading", name="Genuine goods, released faster.")).to_be_visible()
    shot(page, "01-landing")

    page.get_by_role("link", name="Register as an importer").click()
    expect(page.get_by_role("heading", name="Register your organisation")).to_be_visible()
    # A too-short password is refused inline, naming the field.
    page.get_by_label("Organisation name").fill("Journey Imports LLC")
    page.get_by_label("Your full name").fill("Jo Journey")
    page.get_by_label("Work e-mail address").fill("jo@journey.example")
    page.locator("#password").fill("short")
    page.get_by_label("Type the password again").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".usa-error-message").first).to_contain_text("at least 12")
    shot(page, "02-register-error")

    page.locator("#password").fill("a long enough passphrase")
    page.get_by_label("Type the password again").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    shot(page, "02b-register-check-email")
    confirm_registration(page, app, "jo@journey.example")
    expect(page.get_by_role("heading", name="Welcome, Jo Journey")).to_be_visible()
    expect(page.get_by_text("Importer · Journey Imports LLC").first).to_be_visible()
    shot(page, "03-importer-home")

    sign_out(page)
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    page.goto("/login")
    page.get_by_label("E-mail address").fill("jo@journey.example")
    page.locator("#password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#password-error")).to_have_text("The e-mail address or password is not right.")
    shot(page, "04-login-error")

    sign_in(page, "jo@journey.example", "a long enough passphrase")
    expect(page.get_by_role("heading", name="Welcome, Jo Journey")).to_be_visible()


def test_admin_sees_user_management(page, shot, make_user):
    admin = make_user("admin")
    sign_in(page, admin.email, admin.password)
    page.get_by_role("link", name="Users").first.click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_role("link", name=admin.email)).to_be_visible()
    shot(page, "05-admin-users")
