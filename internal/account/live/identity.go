package live

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awserr"
)

// readIdentity sets the account ID and partition from
// sts:GetCallerIdentity, which needs no permission. When STS cannot be
// reached they are taken from the ARNs read later.
func (r *reader) readIdentity(ctx context.Context, a *account.Account) error {
	out, err := r.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.notes = append(r.notes, fmt.Sprintf("sts:GetCallerIdentity failed (%v); the account ID is taken from the ARNs read", shortError(err)))
		return nil
	}
	a.ID = aws.ToString(out.Account)
	a.Partition = arnField(aws.ToString(out.Arn), 1)
	return nil
}

// fillIdentityFromARNs sets what readIdentity could not from the first
// ARN of this account among the users, groups, roles and customer managed
// policies.
func fillIdentityFromARNs(a *account.Account) {
	if a.ID != "" && a.Partition != "" {
		return
	}
	var arns []string
	for _, u := range a.Users {
		arns = append(arns, u.ARN)
	}
	for _, g := range a.Groups {
		arns = append(arns, g.ARN)
	}
	for _, r := range a.Roles {
		arns = append(arns, r.ARN)
	}
	for _, p := range a.Policies {
		arns = append(arns, p.ARN)
	}
	for _, arn := range arns {
		acct := arnField(arn, 4)
		if acct == "" || acct == "aws" {
			continue
		}
		if a.ID == "" {
			a.ID = acct
		}
		if a.Partition == "" {
			a.Partition = arnField(arn, 1)
		}
		return
	}
}

// arnField returns field i of an ARN (1: partition, 4: account), or "".
func arnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[i]
}

// readSummary reads GetAccountSummary's map.
func (r *reader) readSummary(ctx context.Context, a *account.Account) error {
	out, err := r.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return r.optional(err, "the account summary (iam:GetAccountSummary)")
	}
	a.Summary = make(map[string]int, len(out.SummaryMap))
	for k, v := range out.SummaryMap {
		a.Summary[k] = int(v)
	}
	return nil
}

// shortError is the API error's code and message, without the SDK's
// request details.
func shortError(err error) string {
	if code := awserr.Code(err); code != "" {
		var msg string
		if ae, ok := asAPIError(err); ok {
			msg = ae.ErrorMessage()
		}
		if msg == "" {
			return code
		}
		return code + ": " + msg
	}
	return err.Error()
}
