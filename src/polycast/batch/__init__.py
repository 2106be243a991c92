"""Many articles at once: a list, a folder or a site's feed, built locally or on a Dask cluster.

``sources`` turns what a person names (files, folders, ``-`` for a list, URLs) into ``Job``s;
``follow`` does the same for a site's RSS, Atom or JSON Feed (or an OPML list of them); ``work``
builds one job, whole, in whichever process runs it; ``pool`` runs jobs on local processes and
``cluster`` on a Dask cluster; ``run`` drives either, writing each result as it arrives and
publishing it into the show's feed (the client is the feed's one writer); ``ledger`` remembers
what is done, so a rerun does only what is new, changed or failed; ``progress`` counts and words
it for a person.

Importing this package imports nothing else: the show config reads ``settings`` from it.
"""
