package lab

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
)

var ctxPool = sync.Pool{New: func() any { return new(eval.Context) }}

// sourceIP returns the client address of the connection.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return host
}

// fillContext sets the global condition keys AWS puts in the request
// context of rq's caller
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// keys are the credential type's MFA-related keys (internal/credctx), and
// mfaTime is when MFA was verified, for aws:MultiFactorAuthAge.
func fillContext(ctx *eval.Context, rq *request, keys []credctx.Key, mfaTime time.Time) {
	c := rq.caller
	now := rq.now
	if now.Location() == time.UTC {
		ts := timeStrings(now)
		ctx.SetString("aws:CurrentTime", ts.rfc3339)
		ctx.SetString("aws:EpochTime", ts.epoch)
	} else {
		ctx.SetString("aws:CurrentTime", now.Format(time.RFC3339))
		ctx.SetString("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	}
	if rq.r.TLS != nil {
		ctx.SetString("aws:SecureTransport", "true")
	} else {
		ctx.SetString("aws:SecureTransport", "false")
	}
	if ip := sourceIP(rq.r); ip != "" {
		ctx.SetString("aws:SourceIp", ip)
	}
	ctx.SetString("aws:PrincipalArn", c.principalARN)
	ctx.SetString("aws:PrincipalAccount", c.account)
	ctx.SetString("aws:userid", c.userID)
	if c.kind == kindUser {
		// aws:username is present for IAM users only
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable).
		ctx.SetString("aws:username", c.userName)
	}
	ctx.SetString("aws:ViaAWSService", "false")
	if rq.region != "" {
		ctx.SetString("aws:RequestedRegion", rq.region)
	}
	for _, kv := range rq.extra {
		ctx.SetString(kv[0], kv[1])
	}
	if len(rq.tags) > 0 {
		// The tags a request creates
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requesttag).
		keys := make([]string, len(rq.tags))
		for i, t := range rq.tags {
			ctx.SetString("aws:RequestTag/"+t.Key, t.Value)
			keys[i] = t.Key
		}
		ctx.Set("aws:TagKeys", keys...)
	}
	if len(rq.untagKeys) > 0 {
		// The keys an Untag* request removes.
		ctx.Set("aws:TagKeys", rq.untagKeys...)
	}
	for _, k := range keys {
		if !k.Present {
			continue
		}
		switch {
		case k.Name == credctx.KeyPrincipalType:
			v := k.Value
			if c.kind == kindRoot {
				// "Account" for the root user (principal table above).
				v = "Account"
			}
			ctx.SetString(k.Name, v)
		case k.Value != "":
			ctx.SetString(k.Name, k.Value)
		case k.Name == credctx.KeyMFAAge:
			age := int64(0)
			if !mfaTime.IsZero() && now.After(mfaTime) {
				age = int64(now.Sub(mfaTime) / time.Second)
			}
			ctx.SetString(k.Name, strconv.FormatInt(age, 10))
		case k.Name == credctx.KeyTokenIssueTime:
			issued := now
			if c.sess != nil {
				issued = c.sess.Issued
			}
			ctx.SetString(k.Name, issued.UTC().Format(time.RFC3339))
		}
	}
}
