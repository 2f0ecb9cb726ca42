package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
)

// credIdx indexes the credential types internally; every type is decided
// for every user (the MFA one is needed to tell mfa-required from
// no-access), whichever columns the report shows.
type credIdx int

const (
	cKeys credIdx = iota
	cConsole
	cSessionNoMFA
	cSessionMFA
	numCreds
)

var credNames = [numCreds]Credential{CredAccessKeys, CredConsolePassword, CredSessionNoMFA, CredSessionMFA}

// credRowNames are the internal/credctx rows giving each type's request
// context (`awsmfa policy simulate --list-credentials`).
var credRowNames = [numCreds]string{"long-term-keys", "console", "session-token", "session-token-mfa"}

// AllCredentials lists the credential types in column order.
func AllCredentials() []Credential { return append([]Credential(nil), credNames[:]...) }

func credIndex(c Credential) (credIdx, bool) {
	for i, n := range credNames {
		if n == c {
			return credIdx(i), true
		}
	}
	return 0, false
}

// credRows returns the credctx rows, failing if the table lost one.
func credRows() ([numCreds]credctx.Row, error) {
	var rows [numCreds]credctx.Row
	for i, name := range credRowNames {
		row, ok := credctx.Lookup(name)
		if !ok {
			return rows, fmt.Errorf("credential table has no row %q", name)
		}
		rows[i] = row
	}
	return rows, nil
}

// mfaKeys says whether a credential type carries MFA.
func (c credIdx) mfa() bool { return c == cSessionMFA }

// possible reports whether credentials of type c can call action at all,
// whatever the policies say. GetSessionToken credentials "cannot call any
// IAM API operations unless MFA information is included with the request"
// and "cannot call any AWS STS API except AssumeRole or GetCallerIdentity"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
func (c credIdx) possible(lowerAction string) bool {
	if c != cSessionNoMFA && c != cSessionMFA {
		return true
	}
	svc, act, _ := strings.Cut(lowerAction, ":")
	switch svc {
	case "iam":
		return c == cSessionMFA
	case "sts":
		return act == "assumerole" || act == "getcalleridentity"
	}
	return true
}

// fillContext sets the request context of a request u makes with
// credentials of type row: the global keys AWS sets for an IAM user
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
// and the credential type's MFA keys from internal/credctx. Keys that
// depend on the request itself (source IP, region, tags of the request)
// are left out: conditions on them see an absent key.
func fillContext(ctx *eval.Context, u *account.User, acctID string, row credctx.Row, action string, now time.Time) {
	ctx.Reset()
	ctx.SetString("aws:username", u.Name)
	if u.ID != "" {
		ctx.SetString("aws:userid", u.ID)
	}
	ctx.SetString("aws:PrincipalArn", u.ARN)
	ctx.SetString("aws:PrincipalAccount", acctID)
	for _, t := range u.Tags {
		ctx.SetString("aws:PrincipalTag/"+t.Key, t.Value)
	}
	ctx.SetString("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	ctx.SetString("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	// The AWS CLI and SDKs call over TLS; a user's own request is not made
	// by a service on their behalf ("aws:ViaAWSService ... false" is in
	// every request a principal signs itself), which seed 000's Deny tests.
	ctx.SetString("aws:SecureTransport", "true")
	ctx.SetString("aws:ViaAWSService", "false")
	for _, k := range row.KeysFor(action) {
		if !k.Present {
			continue
		}
		switch {
		case k.Value != "":
			ctx.SetString(k.Name, k.Value)
		case k.Name == credctx.KeyMFAAge:
			ctx.SetString(k.Name, strconv.Itoa(credctx.DefaultMFAAge))
		case k.Name == credctx.KeyTokenIssueTime:
			ctx.SetString(k.Name, now.UTC().Format(time.RFC3339))
		}
	}
}

// userFacts is what the credential report and the MFA device list say
// about a user's credentials.
type userFacts struct {
	row *account.CredentialRow
	// assumed: the credential report was not read (or lacks the user);
	// keys and a password are assumed.
	assumed     bool
	hasKeys     bool
	hasPassword bool
	// deviceKnown: the report or ListMFADevices says whether there is an
	// MFA device. hasDevice, hasTOTP and fidoOnly are meaningful only then
	// (unknown devices are assumed absent for the console column and TOTP
	// for the MFA column).
	deviceKnown bool
	hasDevice   bool
	hasTOTP     bool
	fidoOnly    bool
}

func factsOf(u *account.User, row *account.CredentialRow) userFacts {
	f := userFacts{row: row}
	if row == nil {
		f.assumed = true
		f.hasKeys, f.hasPassword = true, true
	} else {
		f.hasKeys = row.AccessKeys[0].Active || row.AccessKeys[1].Active
		f.hasPassword = row.PasswordEnabled
		f.deviceKnown = true
		f.hasDevice = row.MFAActive
		f.hasTOTP = row.MFAActive
	}
	if u.MFAKnown {
		f.deviceKnown = true
		f.hasDevice = len(u.MFADevices) > 0
		f.hasTOTP = false
		fido := 0
		for _, d := range u.MFADevices {
			if d.Type == account.MFAFIDO {
				fido++
			} else {
				// Virtual, hardware TOTP, or a kind not told: STS may
				// take it.
				f.hasTOTP = true
			}
		}
		f.fidoOnly = fido > 0 && fido == len(u.MFADevices)
	}
	if !f.deviceKnown {
		f.hasTOTP = true
	}
	return f
}

// applies reports whether the user has credentials of type c.
func (f *userFacts) applies(c credIdx) bool {
	switch c {
	case cKeys, cSessionNoMFA:
		return f.hasKeys
	case cConsole:
		// With an MFA device the console asks for a code at sign-in, so
		// a console session without MFA exists only without a device.
		return f.hasPassword && !(f.deviceKnown && f.hasDevice)
	case cSessionMFA:
		return f.hasKeys && f.hasTOTP
	}
	return false
}
