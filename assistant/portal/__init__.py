"""The Kamu SM portal ("Nitelikli Elektronik Sertifika İşlemleri") as the assistant sees it.

`api` is the one interface the conversation drives; `client` implements it over HTTP
against the training `reference` service; `guided` walks a user through the real site,
which has no public API. Nothing here knows about flows, agents or channels.
"""
