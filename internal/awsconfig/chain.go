package awsconfig

import (
	"fmt"
	"strings"
)

// BaseKind is where the first credentials of a chain come from.
type BaseKind string

// Base kinds.
const (
	BaseStatic            BaseKind = "static"             // aws_access_key_id + aws_secret_access_key [+ aws_session_token]
	BaseCredentialProcess BaseKind = "credential_process" // an external command printing JSON credentials
	BaseCredentialSource  BaseKind = "credential_source"  // Environment, Ec2InstanceMetadata or EcsContainer
	BaseWebIdentity       BaseKind = "web_identity"       // AssumeRoleWithWebIdentity with a token file
	BaseSSO               BaseKind = "sso"                // IAM Identity Center
	BaseLoginSession      BaseKind = "login_session"      // console sign-in session (aws login)
)

// Named credential sources accepted in credential_source.
var credentialSources = []string{"Environment", "Ec2InstanceMetadata", "EcsContainer"}

// Secret is a string that prints as "<redacted>" with %v, %s and %#v; use
// string(s) for the value.
type Secret string

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<redacted>"
}

// GoString redacts too.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Base is the first link of a credential chain: credentials obtained without
// other credentials.
type Base struct {
	Kind BaseKind
	// Profile is the profile that supplied the base.
	Profile string
	// At is where the base is defined: the key that selected it (e.g.
	// aws_access_key_id, credential_process) or the profile header.
	At Location

	// BaseStatic.
	AccessKeyID     string
	SecretAccessKey Secret
	SessionToken    Secret
	AccountID       string // aws_account_id; also for credential_process
	// Stored: the keys are in the awsmfa key store (Config.StoredKeys),
	// not in the files; SecretAccessKey is empty until the broker reads it.
	Stored bool

	// BaseCredentialProcess.
	CredentialProcess string
	// BaseCredentialSource.
	CredentialSource string
	// BaseWebIdentity.
	RoleARN              string
	WebIdentityTokenFile string
	RoleSessionName      string
	// BaseSSO.
	SSOSession   string
	SSORegion    string
	SSOStartURL  string
	SSOAccountID string
	SSORoleName  string
	// BaseLoginSession.
	LoginSession string
}

// Temporary reports whether the base credentials are known to be temporary
// (a session): then an AssumeRole made with them is role chaining.
func (b Base) Temporary() bool {
	switch b.Kind {
	case BaseStatic:
		return b.SessionToken != ""
	case BaseWebIdentity, BaseSSO, BaseLoginSession:
		return true
	case BaseCredentialSource:
		return b.CredentialSource == "Ec2InstanceMetadata" || b.CredentialSource == "EcsContainer"
	}
	return false // credential_process and Environment may be either
}

// AssumeRoleStep is one sts:AssumeRole made with the credentials of the
// previous link.
type AssumeRoleStep struct {
	// Profile is the profile that defines the role.
	Profile         string
	RoleARN         string
	RoleARNAt       Location
	ExternalID      string
	RoleSessionName string
	// MFASerial is the profile's mfa_serial: the AWS CLI sends it with a
	// code in this AssumeRole.
	MFASerial   string
	MFASerialAt Location
	// DurationSeconds is duration_seconds, 0 when unset.
	DurationSeconds int
	DurationAt      Location
	// SourceProfile is the profile whose credentials make this call (the
	// previous link); "" when they come from CredentialSource.
	SourceProfile    string
	CredentialSource string
	// Region is the profile's own region key (informational: the SDKs
	// call STS in the region of the selected profile, Chain.Region).
	Region string
	// RoleChaining is true when the calling credentials are temporary, so
	// STS limits the session to one hour. Set by Resolve.
	RoleChaining bool
}

// Chain is how a profile's credentials are obtained: Base, then each of
// Steps in order (Steps[0] is called with the base credentials, the last one
// yields the profile's credentials).
type Chain struct {
	// Profile is the resolved profile.
	Profile string
	// Visited are the profiles walked, from Profile to the base's profile.
	Visited []string
	Base    Base
	Steps   []AssumeRoleStep

	// The following are filled by Resolve, not ResolveChain.

	// Region is where STS is called: $AWS_REGION, $AWS_DEFAULT_REGION or
	// the selected profile's region; RegionFrom says which.
	Region     string
	RegionFrom string
	// STSEndpoint is the configured STS endpoint URL ("" for the AWS
	// default); STSEndpointFrom says where it was configured.
	STSEndpoint     string
	STSEndpointFrom string
	MFA             MFAConfig
	// Warnings are things that work but probably not as intended.
	Warnings []string
}

// String describes the chain without secrets.
func (c *Chain) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%s]", c.Base.Kind, c.Base.Profile)
	for _, s := range c.Steps {
		fmt.Fprintf(&b, " -> AssumeRole(%s)[%s]", s.RoleARN, s.Profile)
	}
	return b.String()
}

// Keys of the profile file used in credential resolution.
const (
	KeyAccessKeyID       = "aws_access_key_id"
	KeySecretAccessKey   = "aws_secret_access_key"
	KeySessionToken      = "aws_session_token"
	KeyAccountID         = "aws_account_id"
	KeyRoleARN           = "role_arn"
	KeySourceProfile     = "source_profile"
	KeyCredentialSource  = "credential_source"
	KeyExternalID        = "external_id"
	KeyRoleSessionName   = "role_session_name"
	KeyMFASerial         = "mfa_serial"
	KeyDurationSeconds   = "duration_seconds"
	KeyWebIdentityToken  = "web_identity_token_file"
	KeyCredentialProcess = "credential_process"
	KeySSOSession        = "sso_session"
	KeySSOAccountID      = "sso_account_id"
	KeySSORegion         = "sso_region"
	KeySSORoleName       = "sso_role_name"
	KeySSOStartURL       = "sso_start_url"
	KeyLoginSession      = "login_session"
	KeyRegion            = "region"
	KeyEndpointURL       = "endpoint_url"
	KeyServices          = "services"
	KeyIgnoreEndpoints   = "ignore_configured_endpoint_urls"
)

// ResolveChain resolves profile ("" = c.Selected) into a chain with the
// rules of the AWS SDKs' profile credential provider (smithy-rs
// aws-config/src/profile/credentials/repr.rs), without judging values:
//
//   - A profile with role_arn (and no web_identity_token_file) is an
//     AssumeRole step; its source is source_profile or credential_source
//     (exactly one of them). source_profile naming the profile itself means
//     "this profile's own static keys".
//   - After the first profile, a source profile with static keys is the base
//     even if it also has role_arn.
//   - Otherwise a profile is a base: credential_source, then
//     web_identity_token_file (+ role_arn), then SSO, then login_session,
//     then credential_process, then static keys.
//   - A profile seen twice is a cycle.
func (c *Config) ResolveChain(profile string) (*Chain, error) {
	if profile == "" {
		profile = c.Selected
		if profile == "" {
			profile = defaultProfile
		}
	}
	if len(c.profiles) == 0 {
		return nil, &Error{Code: CodeNoProfiles, Profile: profile,
			Msg: "no profiles were defined in " + c.files()}
	}
	chain := &Chain{Profile: profile}
	var steps []AssumeRoleStep
	var prev *Section
	name := profile
	for {
		p := c.profiles[name]
		if p == nil {
			if prev == nil {
				return nil, &Error{Code: CodeProfileNotFound, Profile: name,
					Msg:         "profile not found in " + c.files(),
					Suggestions: closeNames(name, c.ProfileNames(), 3),
					Hint:        c.ignoredHint(name)}
			}
			sp, _ := prev.Lookup(KeySourceProfile)
			return nil, (&Error{Code: CodeSourceProfileNotFound, Profile: prev.Name, Key: KeySourceProfile,
				Msg:         fmt.Sprintf("could not find source profile %q referenced from %q", name, prev.Name),
				Suggestions: closeNames(name, c.ProfileNames(), 3),
				Hint:        c.ignoredHint(name)}).at(sp)
		}
		for i, v := range chain.Visited {
			if v == name {
				cycle := append(append([]string{}, chain.Visited[i:]...), name)
				sp, _ := prev.Lookup(KeySourceProfile)
				return nil, (&Error{Code: CodeCycle, Profile: prev.Name, Key: KeySourceProfile, Cycle: cycle,
					Msg: "source_profile chain forms an infinite loop: " + strings.Join(cycle, " -> ")}).at(sp)
			}
		}
		chain.Visited = append(chain.Visited, name)
		if len(chain.Visited) > 1 {
			if b, err := staticBase(p); err == nil {
				chain.Base = b
				break
			}
			if b, ok, err := c.storedBase(p); ok || err != nil {
				if err != nil {
					return nil, err
				}
				chain.Base = b
				break
			}
		}
		_, hasRole := p.Get(KeyRoleARN)
		_, hasToken := p.Get(KeyWebIdentityToken)
		if !hasRole || hasToken {
			b, err := c.baseProvider(p)
			if err != nil {
				if len(chain.Visited) > 1 {
					err.Msg = fmt.Sprintf("cannot be used as the source profile of %q: %s", prev.Name, err.Msg)
				}
				return nil, err
			}
			chain.Base = b
			break
		}
		step := roleStep(p)
		src, srcOK := p.Lookup(KeySourceProfile)
		cs, csOK := p.Lookup(KeyCredentialSource)
		role, _ := p.Lookup(KeyRoleARN)
		switch {
		case srcOK && csOK:
			return nil, (&Error{Code: CodeBothSources, Profile: name, Key: KeyCredentialSource,
				Msg:  fmt.Sprintf("profile contained both source_profile%s and credential_source; only one or the other can be defined", paren(src.Location)),
				Hint: "remove one of them"}).at(cs)
		case !srcOK && !csOK:
			return nil, (&Error{Code: CodeNoSource, Profile: name, Key: KeyRoleARN,
				Msg:  "profile must contain `source_profile` or `credential_source` next to role_arn, but neither is defined",
				Hint: "add source_profile = <profile with the credentials that assume the role>"}).at(role)
		}
		steps = append(steps, step)
		if csOK || src.Value == name {
			// credential_source, or source_profile naming this profile:
			// the base is this profile itself.
			b, err := c.baseProvider(p)
			if err != nil {
				if !csOK {
					err.Hint = "source_profile may name the profile itself only when it has aws_access_key_id and aws_secret_access_key"
				}
				return nil, err
			}
			if csOK {
				steps[len(steps)-1].CredentialSource = cs.Value
			} else {
				steps[len(steps)-1].SourceProfile = name
			}
			chain.Base = b
			break
		}
		steps[len(steps)-1].SourceProfile = src.Value
		prev = p
		name = src.Value
	}
	for i := len(steps) - 1; i >= 0; i-- {
		chain.Steps = append(chain.Steps, steps[i])
	}
	return chain, nil
}

func roleStep(p *Section) AssumeRoleStep {
	role, _ := p.Lookup(KeyRoleARN)
	mfa, _ := p.Lookup(KeyMFASerial)
	dur, _ := p.Lookup(KeyDurationSeconds)
	return AssumeRoleStep{
		Profile:         p.Name,
		RoleARN:         role.Value,
		RoleARNAt:       role.Location,
		ExternalID:      p.Value(KeyExternalID),
		RoleSessionName: p.Value(KeyRoleSessionName),
		MFASerial:       mfa.Value,
		MFASerialAt:     mfa.Location,
		DurationAt:      dur.Location,
		Region:          p.Value(KeyRegion),
	}
}

// baseProvider resolves a profile that is not an AssumeRole step.
func (c *Config) baseProvider(p *Section) (Base, *Error) {
	if b, ok, err := c.storedBase(p); ok || err != nil {
		return b, err
	}
	b := Base{Profile: p.Name, At: p.Location()}
	if cs, ok := p.Lookup(KeyCredentialSource); ok {
		b.Kind, b.CredentialSource, b.At = BaseCredentialSource, cs.Value, cs.Location
		return b, nil
	}
	if tok, ok := p.Lookup(KeyWebIdentityToken); ok {
		role, ok := p.Lookup(KeyRoleARN)
		if !ok {
			return b, (&Error{Code: CodeWebIdentity, Profile: p.Name, Key: KeyWebIdentityToken,
				Msg: "`web_identity_token_file` was specified but `role_arn` was missing"}).at(tok)
		}
		b.Kind, b.At = BaseWebIdentity, tok.Location
		b.RoleARN, b.WebIdentityTokenFile, b.RoleSessionName = role.Value, tok.Value, p.Value(KeyRoleSessionName)
		return b, nil
	}
	if ok, err := c.ssoBase(p, &b); ok || err != nil {
		return b, err
	}
	if ls, ok := p.Lookup(KeyLoginSession); ok {
		b.Kind, b.LoginSession, b.At = BaseLoginSession, ls.Value, ls.Location
		return b, nil
	}
	if cp, ok := p.Lookup(KeyCredentialProcess); ok {
		b.Kind, b.CredentialProcess, b.At = BaseCredentialProcess, cp.Value, cp.Location
		b.AccountID = p.Value(KeyAccountID)
		return b, nil
	}
	return staticBase(p)
}

// KeyStoreLocation is the Location of keys from the awsmfa key store.
const KeyStoreLocation = "the awsmfa key store"

// storedBase is the profile's keys in the awsmfa key store, which act as
// its static keys before any other source: the store is asked only when
// the profile's sections hold no static key at all (keys in the files
// win, as the AWS CLI, which reads only the files, uses those).
func (c *Config) storedBase(p *Section) (Base, bool, *Error) {
	if c.StoredKeys == nil {
		return Base{}, false, nil
	}
	for _, k := range []string{KeyAccessKeyID, KeySecretAccessKey, KeySessionToken} {
		if _, ok := p.Lookup(k); ok {
			return Base{}, false, nil
		}
	}
	id, ok, err := c.StoredKeys(p.Name)
	if err != nil {
		if hasOwnSource(p) {
			// The profile does not depend on the store: an unreadable store
			// must not break its SSO, web identity, credential_source or
			// login session.
			return Base{}, false, nil
		}
		return Base{}, false, &Error{Code: CodeKeyStore, Profile: p.Name, Msg: err.Error()}
	}
	if !ok {
		return Base{}, false, nil
	}
	return Base{Kind: BaseStatic, Profile: p.Name, At: Location{File: KeyStoreLocation}, AccessKeyID: id, Stored: true,
		AccountID: p.Value(KeyAccountID)}, true, nil
}

// hasOwnSource reports whether p names a source of credentials other
// than keys and credential_process (which `awsmfa keys import` points at
// awsmfa itself, so it may need the store).
func hasOwnSource(p *Section) bool {
	for _, k := range []string{KeyCredentialSource, KeyWebIdentityToken, KeySSOSession, KeySSOStartURL, KeySSOAccountID, KeyLoginSession} {
		if _, ok := p.Lookup(k); ok {
			return true
		}
	}
	return false
}

func staticBase(p *Section) (Base, *Error) {
	ak, akOK := p.Lookup(KeyAccessKeyID)
	sk, skOK := p.Lookup(KeySecretAccessKey)
	tok, tokOK := p.Lookup(KeySessionToken)
	b := Base{Kind: BaseStatic, Profile: p.Name, At: p.Location()}
	switch {
	case !akOK && !skOK && !tokOK:
		return b, &Error{Code: CodeNoCredentials, Profile: p.Name, File: b.At.File, Line: b.At.Line,
			Msg:  fmt.Sprintf("profile `%s` did not contain credential information", p.Name),
			Hint: "it needs aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, credential_source, sso_* or web_identity_token_file"}
	case !akOK:
		at := sk
		if !skOK {
			at = tok
		}
		return b, (&Error{Code: CodePartialCredentials, Profile: p.Name, Key: KeyAccessKeyID,
			Msg: "profile missing aws_access_key_id"}).at(at)
	case !skOK:
		return b, (&Error{Code: CodePartialCredentials, Profile: p.Name, Key: KeySecretAccessKey,
			Msg: "profile missing aws_secret_access_key"}).at(ak)
	}
	b.At = ak.Location
	b.AccessKeyID = ak.Value
	b.SecretAccessKey = Secret(sk.Value)
	b.SessionToken = Secret(tok.Value)
	b.AccountID = p.Value(KeyAccountID)
	return b, nil
}

// ssoBase follows smithy-rs sso_from_profile.
func (c *Config) ssoBase(p *Section, b *Base) (bool, *Error) {
	acct, acctOK := p.Lookup(KeySSOAccountID)
	region, regionOK := p.Lookup(KeySSORegion)
	role, roleOK := p.Lookup(KeySSORoleName)
	start, startOK := p.Lookup(KeySSOStartURL)
	sess, sessOK := p.Lookup(KeySSOSession)
	if !acctOK && !regionOK && !roleOK && !startOK && !sessOK {
		return false, nil
	}
	fail := func(key string, at Property, msg string) (bool, *Error) {
		return true, (&Error{Code: CodeSSO, Profile: p.Name, Key: key, Msg: msg}).at(at)
	}
	if sessOK {
		if startOK {
			return fail(KeySSOStartURL, start, "`sso_start_url` can only be specified in the [sso-session] config when a session name is given")
		}
		if regionOK {
			return fail(KeySSORegion, region, "`sso_region` can only be specified in the [sso-session] config when a session name is given")
		}
		s := c.ssoSessions[sess.Value]
		if s == nil {
			e := (&Error{Code: CodeSSO, Profile: p.Name, Key: KeySSOSession,
				Msg:         fmt.Sprintf("sso-session named `%s` (referenced by profile `%s`) was not found", sess.Value, p.Name),
				Suggestions: closeNames(sess.Value, c.SSOSessionNames(), 3)}).at(sess)
			return true, e
		}
		start, startOK = s.Lookup(KeySSOStartURL)
		region, regionOK = s.Lookup(KeySSORegion)
	}
	switch {
	case acctOK && !roleOK:
		return fail(KeySSOAccountID, acct, "if `sso_account_id` is set, then `sso_role_name` must also be set")
	case roleOK && !acctOK:
		return fail(KeySSORoleName, role, "if `sso_role_name` is set, then `sso_account_id` must also be set")
	case !regionOK:
		return true, &Error{Code: CodeSSO, Profile: p.Name, Key: KeySSORegion, File: p.Location().File, Line: p.Location().Line,
			Msg: "profile missing field `sso_region`"}
	case !startOK:
		return true, &Error{Code: CodeSSO, Profile: p.Name, Key: KeySSOStartURL, File: p.Location().File, Line: p.Location().Line,
			Msg: "profile missing field `sso_start_url`"}
	}
	b.Kind = BaseSSO
	b.SSOSession, b.SSORegion, b.SSOStartURL = sess.Value, region.Value, start.Value
	b.SSOAccountID, b.SSORoleName = acct.Value, role.Value
	switch {
	case sessOK:
		b.At = sess.Location
	case startOK:
		b.At = start.Location
	}
	return true, nil
}

func paren(l Location) string {
	if s := l.String(); s != "" {
		return " (" + s + ")"
	}
	return ""
}
