package lab

import (
	"context"
	"log/slog"
	"time"
)

// Record describes one answered request: what the log line says. It never
// holds a secret key or a session token.
type Record struct {
	Time      time.Time
	RequestID string
	// Action is "service:Action" ("sts:GetSessionToken"); "service:" when
	// the request named no action.
	Action string
	// Principal is the caller's ARN ("" when authentication failed).
	Principal   string
	AccessKeyID string
	// Credential is the internal/credctx credential type of the caller
	// ("long-term-keys", "session-token-mfa", ...).
	Credential string
	// Decision is "allowed", "explicitDeny" or "implicitDeny" when the
	// request was authorized, else "".
	Decision string
	// Policy and Statement name the deciding statement (the first one),
	// when there is one: the policy's name (a managed policy ARN,
	// "user/NAME/POLICY" for inline policies, "trust policy of role/NAME",
	// "session policy") and the statement's Sid or "#index".
	Policy    string
	Statement string
	// Reason is the evaluator's one-sentence explanation.
	Reason string
	// Note adds what the lab checked besides policies (MFA code outcome,
	// credential restrictions).
	Note     string
	Status   int
	Error    string // error code, "" on success
	Duration time.Duration
}

func (s *Server) finish(rq *request) {
	rec := Record{
		Time:      rq.now,
		RequestID: rq.id,
		Action:    rq.service + ":" + rq.action,
		Status:    rq.status,
		Error:     rq.errCode,
		Reason:    rq.reason,
		Note:      rq.note,
		Duration:  time.Since(rq.start),
	}
	if c := rq.caller; c != nil {
		rec.Principal, rec.AccessKeyID, rec.Credential = c.arn, c.accessKeyID, c.row.Name
	}
	if rq.decided {
		rec.Decision = rq.decision.String()
		rec.Policy, rec.Statement = rq.policyName, rq.statement
	}
	s.stats.record(&rec)
	if s.log != nil {
		attrs := []slog.Attr{
			slog.String("request_id", rec.RequestID),
			slog.String("action", rec.Action),
			slog.String("principal", rec.Principal),
			slog.String("credential", rec.Credential),
			slog.String("decision", rec.Decision),
			slog.String("policy", rec.Policy),
			slog.String("statement", rec.Statement),
			slog.Int("status", rec.Status),
			slog.String("error", rec.Error),
			slog.Float64("ms", float64(rec.Duration.Microseconds())/1000),
		}
		if rec.Decision != "" && rec.Decision != "allowed" && rec.Reason != "" {
			attrs = append(attrs, slog.String("reason", rec.Reason))
		}
		if rec.Note != "" {
			attrs = append(attrs, slog.String("note", rec.Note))
		}
		level := slog.LevelInfo
		if rq.internalErr != nil {
			level = slog.LevelError
			// Internal errors come from the store or the evaluator and
			// carry no request secrets.
			attrs = append(attrs, slog.String("internal_error", rq.internalErr.Error()))
		}
		s.log.LogAttrs(context.Background(), level, "request", attrs...)
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer(rec)
	}
}
