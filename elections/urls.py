"""Mounted at /elections/: the list, each election's page, nominations, acceptance, the candidates' pages,
the ballot, and what is published after the close."""

from django.urls import path

from elections import views

app_name = "elections"

urlpatterns = [
    path("", views.election_list, name="list"),
    path("<slug:slug>/", views.election_detail, name="detail"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/nominate/", views.nominate, name="nominate"),
    path("<slug:slug>/stand/", views.stand, name="stand"),
    path("<slug:slug>/candidates/<slug:candidate>/", views.candidate_detail, name="candidate"),
    path("<slug:slug>/ballots.json", views.ballots_json, name="ballots-json"),
    path("<slug:slug>/ballots.csv", views.ballots_csv, name="ballots-csv"),
    path("<slug:slug>/receipts.txt", views.receipts, name="receipts"),
]
