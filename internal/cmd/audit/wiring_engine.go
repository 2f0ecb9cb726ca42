package audit

// wireEngine connects the engine (internal/audit: Run, ParseActions).
//
// NOT WIRED YET: the engine is not in the tree this was written against.
// Until it is, `awsmfa audit` reads accounts but stops with "the audit
// engine is not available in this build" (exit 2) rather than printing
// anything it did not decide.
func wireEngine(b *Backend) {}
