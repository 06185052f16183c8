"""The site's URLs: the login pages, each app's pages, the admin and the JSON API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from touchbase.api import api
from touchbase.core.views import coach_unversioned
from touchbase.outreach import urls as outreach_urls
from touchbase.prospecting import urls as prospecting_urls

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/coach", coach_unversioned),
    path("leads/", include("touchbase.prospecting.urls")),
    path("reports/", include("touchbase.metrics.urls")),
    path("outreach/", include("touchbase.outreach.urls")),
    outreach_urls.unsubscribe,  # public: the one-click link in every sequence email
    prospecting_urls.inbound_submit,  # public: inbound lead forms post here, guarded by the form's key
    path("", include("touchbase.crm.urls")),
]

handler404 = "touchbase.core.views.not_found"
handler403 = "touchbase.core.views.forbidden"
handler500 = "touchbase.core.views.server_error"
