"""schemathesis hooks for tests/clients/run.sh (loaded through SCHEMATHESIS_HOOKS).

`fields` and `exclude_fields` return partial objects by design (as in Pulp), so responses to
them cannot match the full response schemas: they are dropped from every generated case before
it is sent, in every phase. Everything else the document declares is generated."""
import schemathesis


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.query:
        case.query.pop("fields", None)
        case.query.pop("exclude_fields", None)
