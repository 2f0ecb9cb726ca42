package audit

import (
	"bytes"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/audit"
)

// wireEngine connects the engine (internal/audit): Run and ParseActions.
func wireEngine(b *Backend) {
	b.Audit = func(acct *account.Account, opts AuditOptions) (*audit.Report, error) {
		return audit.Run(acct, audit.Options{Actions: opts.Actions, StaleDays: opts.StaleDays, Progress: opts.Progress})
	}
	b.ParseActions = func(data []byte, file string) ([]string, error) {
		return audit.ParseActions(bytes.NewReader(data), file)
	}
}
