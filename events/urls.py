from django.urls import path

from . import api, views

app_name = "events"

urlpatterns = [
    path("api/service/events/", api.ServiceEventCreateApi.as_view(), name="service-event-create"),
    path("api/service/events/<uuid:public_id>/", api.ServiceEventDetailApi.as_view(), name="service-event-detail"),
    path("n/unsubscribe/<str:token>", views.nudge_unsubscribe, name="nudge-unsubscribe"),
]
