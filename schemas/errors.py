"""The root of every exception class Clausewise defines: ``except ClausewiseError`` catches them all.

Each family below has one base class, defined in the module named beside it, and a subclass per failure
mode. Some families also derive from a built-in (``ValueError``, ``LookupError``) so that callers that
catch the built-in keep working. Private control-flow exceptions (a name starting with ``_``, never
seen outside their module) are not part of the tree.

Hierarchy::

    ClausewiseError                                     schemas.errors
    ├── AuditError                                      audit._errors
    │   ├── AuditWriteError
    │   ├── InvalidEvent
    │   ├── EventNotFound
    │   └── AuditKeyError
    ├── DuplicateRuleError (also ValueError)            rules.registry
    ├── PlaybookError (also ValueError)                 rules.playbook
    ├── DurationError                                   rules.text.durations
    │   └── NonIntegralDuration
    ├── SentenceError                                   rules.text.sentences
    │   └── PunktModelMissing
    ├── PdfReadError                                    pipeline.reading.pdf
    │   ├── EncryptedPdf
    │   ├── CorruptPdf
    │   ├── TruncatedPdf
    │   ├── EmptyFile
    │   ├── EmptyDocument
    │   ├── NotAPdf
    │   ├── FileUnreadable
    │   ├── TooManyPages
    │   ├── OcrLimitReached
    │   ├── TextTooLarge
    │   └── UndecodableText                             pipeline.reading.textfile
    ├── TokenizerError                                  pipeline.reading.tokens
    │   └── TokenizerLoadError
    ├── ChunkingError                                   pipeline.reading.chunking
    │   ├── ChunkSizeError
    │   ├── BudgetError
    │   └── ChunkLocateError
    ├── RenderError                                     pipeline.reading.render
    │   ├── SourceUnavailable
    │   ├── PageOutOfRange
    │   └── PageTooLarge
    ├── LLMError                                        pipeline.llm.base
    │   ├── TruncatedOutput
    │   ├── ValidationFailed
    │   ├── BackendUnavailable
    │   │   ├── RateLimited
    │   │   ├── ServiceUnavailable
    │   │   └── MalformedAnswer
    │   ├── ContextOverflow
    │   ├── LLMTimeout
    │   ├── SchemaNotSupported
    │   └── ReplayMiss
    ├── ModelRegistryError                              pipeline.llm.registry
    │   ├── UnknownModel
    │   ├── ModelNotInstalled
    │   ├── ModelChecksumError
    │   └── ModelDownloadError
    ├── SettingsFileError (also ValueError)             pipeline.settings
    ├── InvalidTransition (also ValueError)             pipeline.store.states
    ├── LeaseLost                                       pipeline.store.leases
    ├── DocumentNotFound (also LookupError)             pipeline.store.queries
    ├── AmbiguousDocument (also LookupError)            pipeline.store.queries
    ├── RoleError                                       pipeline.store.roles
    ├── BlobError                                       pipeline.store.blobs
    │   ├── BlobMissing (also LookupError)
    │   ├── BlobCorrupt
    │   └── BlobMismatch
    ├── ExtractionError                                 pipeline.extract
    │   └── DocumentNotExtractable
    ├── NothingToVerify (also LookupError)              pipeline.verify
    ├── QueueError                                      pipeline.queue.errors
    │   ├── QueueNeedsPostgres
    │   ├── WorkerStopping
    │   └── DocumentNotCarried
    ├── LabelError (also ValueError)                    pipeline.evaluation.labels
    ├── PriceTableError (also ValueError)               pipeline.evaluation.prices
    ├── WeightsError (also ValueError)                  pipeline.evaluation.compare
    ├── ProbeError                                      pipeline.evaluation.probe
    │   ├── BadProbeOption (also ValueError)
    │   ├── HaystackTooShort
    │   ├── NeedleNotUnique
    │   └── PromptTruncated
    ├── ReviewError                                     pipeline.review.errors
    │   ├── Conflict
    │   ├── ClaimedByOther
    │   ├── NotClaimed
    │   ├── NotAllowed
    │   ├── DocumentFrozen
    │   ├── NotReviewable
    │   ├── InvalidDecision
    │   ├── FourEyes
    │   ├── SignOffBlocked
    │   ├── ItemNotFound (also LookupError)
    │   └── DocumentMissing (also LookupError)
    └── UserError                                       pipeline.review.users
        ├── UserExists
        ├── UnknownUser
        ├── InvalidUser
        └── AuthenticationFailed
            └── SignInThrottled

A class without a module beside it lives in its family's module. ``tests/test_exported_members.py``
checks this tree against the code: every exception class of ours is in it, under its own base class,
in the module named.
"""


class ClausewiseError(Exception):
    """Base class of every exception Clausewise defines (rules, audit log, pipeline, review).

    A call with an invalid argument may still raise a built-in error (``ValueError``, ``TypeError``)."""
