"""Users and access (admin only): who may sign in and with which role."""

from app.ui.views.users_admin import render

render()
