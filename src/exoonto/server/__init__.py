"""`exoonto serve`: the SPARQL endpoint, linked data, stored-query API and web pages.

Modules: app (routes), pool and worker (user queries in killable worker processes),
negotiation (Accept), sparqltext (refusing updates and SERVICE), knowledge (descriptions
and labels), pages (HTML), stored (queries/*.rq as a web API), rdfout (serialisers).
This package file imports nothing heavy: worker processes import `worker` alone."""
