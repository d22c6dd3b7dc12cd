"""French pages the tests serve on 127.0.0.1 (og/twitter/JSON-LD variants, hostile ones)."""

from __future__ import annotations

LAPRESSE = """<!DOCTYPE html><html lang="fr-CA"><head><meta charset="utf-8">
<title>Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous | La Presse</title>
<meta property="og:title" content="Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous">
<meta property="og:site_name" content="La Presse">
<meta property="og:description" content="OpenAI a tenu lundi sa première conférence pour les développeurs.">
<meta name="twitter:site" content="@lp_lapresse">
<meta property="article:published_time" content="2023-11-06T19:30:00-05:00">
<meta name="author" content="Karim Benessaieh">
<meta property="og:image" content="/images/openai.jpg">
<link rel="canonical" href="{base}/affaires/techno/2023-11-06/openai.php?utm_source=twitter">
</head><body><article><p>OpenAI a tenu lundi sa première conférence.</p></article></body></html>"""

RADIO_CANADA_1252 = (
    """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Les applications de Meta seraient les plus gourmandes en données personnelles - Radio-Canada.ca</title>
<meta name="description" content="Une étude révèle que les applis de Meta récoltent énormément de données.">
</head><body><p>Texte</p></body></html>"""
).encode("windows-1252")

JSONLD = """<html><head><title>Blogue</title>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
{"@type":"WebSite","name":"Le Blogue du Modérateur"},
{"@type":"NewsArticle","headline":"ChatGPT permet de créer des chatbots personnalisés : comment ça marche",
 "description":"OpenAI lance les GPTs.","datePublished":"2023-11-07T09:00:00+01:00",
 "author":{"@type":"Person","name":"Thomas Coëffé"},"inLanguage":"fr-FR"}]}</script>
</head><body></body></html>"""

HOSTILE = """<html><head>
<title>[clique](javascript:alert(1)) <script>alert('x')</script> | `code` # titre</title>
<meta name="description" content="<img src=x onerror=alert(1)> **gras** [lien](http://evil.example)">
</head><body></body></html>"""

CLOUDFLARE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta name="robots" content="noindex,nofollow"></head><body>
<div id="challenge-running">Checking if the site connection is secure</div>
<form id="challenge-form" action="/x?__cf_chl_f_tk=abc" method="POST"></form>
<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script></body></html>"""
