package awsconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Keys of awsmfa's own; the AWS CLI and SDKs ignore unknown keys, so they
// can sit in ~/.aws/config next to the standard ones.
const (
	// KeyMFAProcess is a command that prints an MFA code on stdout (run by
	// the broker with the shell, like credential_process is by the SDKs).
	KeyMFAProcess = "mfa_process"
	// KeyMFASessionDuration is the lifetime of the MFA session obtained
	// with GetSessionToken: a Go duration ("12h", "90m") or seconds.
	KeyMFASessionDuration = "mfa_session_duration"
	// KeyMFAMode chooses how MFA is used: "session" (default) or
	// "per-role".
	KeyMFAMode = "awsmfa_mode"
)

// MFAMode is how the broker uses the MFA device.
type MFAMode string

const (
	// MFAModeSession: GetSessionToken with the MFA code once (long-term
	// keys only), then every AssumeRole of every profile using the same
	// keys and device is made with that session, without a new code.
	MFAModeSession MFAMode = "session"
	// MFAModePerRole: AssumeRole with SerialNumber and TokenCode for each
	// step that has mfa_serial, as the AWS CLI does.
	MFAModePerRole MFAMode = "per-role"
)

// MFAConfig is the MFA part of a resolved chain.
type MFAConfig struct {
	// Mode is the effective mode. It is MFAModePerRole when the
	// configuration asks for it, or when a session is impossible (the
	// base is not long-term static keys); ModeNote then says why.
	Mode     MFAMode
	ModeNote string
	ModeAt   Location
	// Serial is the device of the MFA session (Mode session): the base
	// profile's mfa_serial, else the mfa_serial of the step nearest the
	// base. "" when no profile of the chain has mfa_serial.
	Serial        string
	SerialProfile string
	SerialAt      Location
	// Process is mfa_process ("" when unset); ProcessAt where it is set.
	Process   string
	ProcessAt Location
	// SessionDuration is mfa_session_duration, DefaultMFASession (12h)
	// when unset.
	SessionDuration   time.Duration
	SessionDurationAt Location
}

// NeedsMFA reports whether getting the chain's credentials needs an MFA
// code (in session mode: a session; in per-role mode: some step).
func (c *Chain) NeedsMFA() bool {
	if c.MFA.Mode == MFAModeSession {
		return c.MFA.Serial != ""
	}
	for _, s := range c.Steps {
		if s.MFASerial != "" {
			return true
		}
	}
	return false
}

// MFASessionKey identifies the MFA session the chain uses: chains with the
// same key (same long-term access key, same MFA device, same STS endpoint)
// share one GetSessionToken session, so one code serves all of them. ok is
// false when the chain uses no MFA session. The key is a hex string safe
// as a file name and contains no secret.
func (c *Chain) MFASessionKey() (key string, ok bool) {
	if c.MFA.Mode != MFAModeSession || c.MFA.Serial == "" || c.Base.Kind != BaseStatic || c.Base.SessionToken != "" {
		return "", false
	}
	h := sha256.Sum256([]byte(strings.Join([]string{"awsmfa-mfa-session-v1", c.STSEndpoint, c.Base.AccessKeyID, c.MFA.Serial}, "\x00")))
	return hex.EncodeToString(h[:16]), true
}

// Duration returns the DurationSeconds to request for the step: the
// configured duration_seconds, else one hour (the STS default), capped at
// one hour when the step is role chaining.
func (s AssumeRoleStep) Duration() time.Duration {
	d := DefaultRoleSession
	if s.DurationSeconds > 0 {
		d = time.Duration(s.DurationSeconds) * time.Second
	}
	if s.RoleChaining && d > ChainedMaxDuration {
		d = ChainedMaxDuration
	}
	return d
}

// Resolve resolves profile ("" = c.Selected) like ResolveChain, then checks
// the values awsmfa depends on and fills region, STS endpoint and MFA
// settings. All problems found are returned together (errors.Join of
// *Error), each naming file, line, profile and key:
//
//   - role_arn must be an IAM role ARN, mfa_serial a device ARN or a
//     hardware serial (a user ARN is reported as such, with the likely
//     device ARN), duration_seconds an integer 900..43200 and at most 3600
//     for a step that is certainly role chaining, role_session_name and
//     external_id within STS limits, credential_source one of
//     Environment/Ec2InstanceMetadata/EcsContainer;
//   - awsmfa_mode, mfa_session_duration, region, endpoint URLs well formed.
//
// awsmfa's keys (mfa_process, mfa_session_duration, awsmfa_mode) are read
// from the nearest profile of the chain that sets them: the resolved
// profile first, then each source profile down to the base.
func (c *Config) Resolve(profile string) (*Chain, error) {
	ch, err := c.ResolveChain(profile)
	if err != nil {
		return nil, err
	}
	var errs []error
	add := func(e *Error) { errs = append(errs, e) }

	// Base checks.
	if ch.Base.Kind == BaseCredentialSource && !contains(credentialSources, ch.Base.CredentialSource) {
		add(&Error{Code: CodeCredentialSource, Profile: ch.Base.Profile, Key: KeyCredentialSource, File: ch.Base.At.File, Line: ch.Base.At.Line,
			Msg: fmt.Sprintf("%q is not a credential source; use Environment, Ec2InstanceMetadata or EcsContainer", ch.Base.CredentialSource)})
	}
	if ch.Base.Kind == BaseWebIdentity {
		if err := ValidateRoleARN(ch.Base.RoleARN); err != nil {
			p, _ := c.profiles[ch.Base.Profile].Lookup(KeyRoleARN)
			add((&Error{Code: CodeRoleARN, Profile: ch.Base.Profile, Key: KeyRoleARN, Msg: err.Error()}).at(p))
		}
	}

	// Step checks.
	for i := range ch.Steps {
		s := &ch.Steps[i]
		p := c.profiles[s.Profile]
		if err := ValidateRoleARN(s.RoleARN); err != nil {
			add((&Error{Code: CodeRoleARN, Profile: s.Profile, Key: KeyRoleARN, Msg: err.Error()}).at(Property{Location: s.RoleARNAt}))
		}
		if s.MFASerial != "" {
			if e := mfaSerialError(s.Profile, s.MFASerial, s.MFASerialAt); e != nil {
				add(e)
			}
		}
		if prop, ok := p.Lookup(KeyDurationSeconds); ok {
			n, err := ParseDurationSeconds(prop.Value)
			if err != nil {
				add((&Error{Code: CodeDuration, Profile: s.Profile, Key: KeyDurationSeconds, Msg: err.Error()}).at(prop))
			} else {
				s.DurationSeconds = n
			}
		}
		if prop, ok := p.Lookup(KeyRoleSessionName); ok {
			if err := ValidateRoleSessionName(prop.Value); err != nil {
				add((&Error{Code: CodeInvalidValue, Profile: s.Profile, Key: KeyRoleSessionName, Msg: err.Error()}).at(prop))
			}
		}
		if prop, ok := p.Lookup(KeyExternalID); ok {
			if err := ValidateExternalID(prop.Value); err != nil {
				add((&Error{Code: CodeInvalidValue, Profile: s.Profile, Key: KeyExternalID, Msg: err.Error()}).at(prop))
			}
		}
	}

	// awsmfa settings, nearest profile first.
	lookup := func(key string) (Property, string, bool) {
		for _, name := range ch.Visited {
			if p, ok := c.profiles[name].Lookup(key); ok {
				return p, name, true
			}
		}
		return Property{}, "", false
	}
	ch.MFA.Mode = MFAModeSession
	if p, name, ok := lookup(KeyMFAMode); ok {
		ch.MFA.ModeAt = p.Location
		switch MFAMode(strings.ToLower(p.Value)) {
		case MFAModeSession:
		case MFAModePerRole:
			ch.MFA.Mode = MFAModePerRole
		default:
			add((&Error{Code: CodeInvalidValue, Profile: name, Key: KeyMFAMode,
				Msg: fmt.Sprintf("%q is not an MFA mode; use %q (one GetSessionToken with MFA, shared by every role) or %q (MFA in each AssumeRole, as the AWS CLI does)", p.Value, MFAModeSession, MFAModePerRole)}).at(p))
		}
	}
	if p, name, ok := lookup(KeyMFAProcess); ok {
		ch.MFA.Process, ch.MFA.ProcessAt = p.Value, p.Location
		if strings.TrimSpace(p.Value) == "" {
			add((&Error{Code: CodeInvalidValue, Profile: name, Key: KeyMFAProcess, Msg: "empty command"}).at(p))
		}
	}
	ch.MFA.SessionDuration = DefaultMFASession
	if p, name, ok := lookup(KeyMFASessionDuration); ok {
		d, err := ParseMFASessionDuration(p.Value)
		if err != nil {
			add((&Error{Code: CodeDuration, Profile: name, Key: KeyMFASessionDuration, Msg: err.Error()}).at(p))
		} else {
			ch.MFA.SessionDuration, ch.MFA.SessionDurationAt = d, p.Location
		}
	}

	// The MFA session's device: the base profile's own mfa_serial (as in
	// aws-vault), else the step nearest the base.
	if bp := c.profiles[ch.Base.Profile]; ch.Base.Kind == BaseStatic {
		if p, ok := bp.Lookup(KeyMFASerial); ok {
			ch.MFA.Serial, ch.MFA.SerialProfile, ch.MFA.SerialAt = p.Value, ch.Base.Profile, p.Location
			selfStep := len(ch.Steps) > 0 && ch.Steps[0].Profile == ch.Base.Profile
			if !selfStep {
				if e := mfaSerialError(ch.Base.Profile, p.Value, p.Location); e != nil {
					add(e)
				}
			}
		}
	}
	if ch.MFA.Serial == "" {
		for _, s := range ch.Steps {
			if s.MFASerial != "" {
				ch.MFA.Serial, ch.MFA.SerialProfile, ch.MFA.SerialAt = s.MFASerial, s.Profile, s.MFASerialAt
				break
			}
		}
	}
	if ch.MFA.Mode == MFAModeSession && ch.MFA.Serial != "" {
		switch {
		case ch.Base.Kind != BaseStatic:
			ch.MFA.Mode = MFAModePerRole
			ch.MFA.ModeNote = fmt.Sprintf("an MFA session needs long-term access keys, but the chain starts with %s in profile %q; MFA is sent with each AssumeRole instead", ch.Base.Kind, ch.Base.Profile)
		case ch.Base.SessionToken != "":
			ch.MFA.Mode = MFAModePerRole
			ch.MFA.ModeNote = fmt.Sprintf("profile %q has aws_session_token, so its keys are already a session; MFA is sent with each AssumeRole instead", ch.Base.Profile)
		}
	}
	if ch.MFA.Mode == MFAModeSession && ch.MFA.Serial != "" {
		for _, s := range ch.Steps {
			if s.MFASerial != "" && s.MFASerial != ch.MFA.Serial {
				ch.Warnings = append(ch.Warnings, fmt.Sprintf("profile %q has mfa_serial %s but the MFA session uses %s (from profile %q)", s.Profile, s.MFASerial, ch.MFA.Serial, ch.MFA.SerialProfile))
			}
		}
	}
	if ch.MFA.Mode == MFAModePerRole && ch.MFA.Serial != "" && !ch.NeedsMFA() {
		ch.Warnings = append(ch.Warnings, fmt.Sprintf("mfa_serial of profile %q is not used in per-role mode: only the mfa_serial of a profile with role_arn is sent, with that AssumeRole", ch.MFA.SerialProfile))
	}

	// Role chaining: an AssumeRole made with temporary credentials is
	// limited to one hour, including with GetSessionToken credentials.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
	// https://repost.aws/knowledge-center/iam-role-chaining-limit
	// (STS: "The requested DurationSeconds exceeds the 1 hour session limit
	// for roles assumed by role chaining" also with GetSessionToken
	// credentials: https://github.com/99designs/aws-vault/issues/263)
	session := ch.MFA.Mode == MFAModeSession && ch.MFA.Serial != ""
	for i := range ch.Steps {
		s := &ch.Steps[i]
		certain := i > 0 || ch.Base.Temporary()
		s.RoleChaining = certain || session
		if s.DurationSeconds > int(ChainedMaxDuration/time.Second) {
			switch {
			case certain:
				add((&Error{Code: CodeDuration, Profile: s.Profile, Key: KeyDurationSeconds,
					Msg: fmt.Sprintf("%d seconds exceeds the 1 hour session limit for roles assumed by role chaining (this role is assumed with the temporary credentials of %s)", s.DurationSeconds, sourceName(ch, i))}).at(Property{Location: s.DurationAt}))
			case session:
				ch.Warnings = append(ch.Warnings, fmt.Sprintf("%s: profile %q: duration_seconds %d is capped at 3600: the role is assumed with MFA session credentials, which is role chaining", s.DurationAt, s.Profile, s.DurationSeconds))
			}
		}
	}

	// Region and STS endpoint of the resolved profile.
	sel := c.profiles[ch.Profile]
	switch {
	case c.Env.get(EnvRegion) != "":
		ch.Region, ch.RegionFrom = c.Env.get(EnvRegion), EnvRegion
	case c.Env.get(EnvDefaultRegion) != "":
		ch.Region, ch.RegionFrom = c.Env.get(EnvDefaultRegion), EnvDefaultRegion
	default:
		if p, ok := sel.Lookup(KeyRegion); ok {
			ch.Region, ch.RegionFrom = p.Value, fmt.Sprintf("region of profile %q (%s)", ch.Profile, p.Location)
			if err := ValidateRegion(p.Value); err != nil {
				add((&Error{Code: CodeInvalidValue, Profile: ch.Profile, Key: KeyRegion, Msg: err.Error()}).at(p))
			}
		}
	}
	if sv, ok := sel.Lookup(KeyServices); ok && c.services[sv.Value] == nil {
		ch.Warnings = append(ch.Warnings, fmt.Sprintf("%s: profile %q: services = %s, but there is no [services %s] section", sv.Location, ch.Profile, sv.Value, sv.Value))
	}
	if ep, err := c.EndpointURL(ch.Profile, "sts"); err != nil {
		var e *Error
		if errors.As(err, &e) {
			add(e)
		}
	} else {
		ch.STSEndpoint, ch.STSEndpointFrom = ep.URL, ep.From
	}

	if len(errs) == 1 {
		return nil, errs[0]
	}
	if len(errs) > 1 {
		return nil, errors.Join(errs...)
	}
	return ch, nil
}

func mfaSerialError(profile, serial string, at Location) *Error {
	err := ValidateMFASerial(serial)
	if err == nil {
		return nil
	}
	e := &Error{Code: CodeMFASerial, Profile: profile, Key: KeyMFASerial, File: at.File, Line: at.Line, Msg: err.Error()}
	var p *MFASerialProblem
	if errors.As(err, &p) && p.UserARN {
		e.Code = CodeMFASerialIsUser
		e.Msg = p.Msg
		e.Hint = p.Hint()
	}
	return e
}

func sourceName(ch *Chain, i int) string {
	if i > 0 {
		return fmt.Sprintf("role %s (profile %q)", ch.Steps[i-1].RoleARN, ch.Steps[i-1].Profile)
	}
	return fmt.Sprintf("%s in profile %q", ch.Base.Kind, ch.Base.Profile)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// MFAGroup is a set of profiles that share one MFA session.
type MFAGroup struct {
	Key         string // Chain.MFASessionKey
	Serial      string
	BaseProfile string   // the profile holding the long-term keys
	Profiles    []string // sorted
}

// MFAGroups resolves every profile and groups those that share an MFA
// session (profiles that fail to resolve are skipped). Sorted by key.
func (c *Config) MFAGroups() []MFAGroup {
	groups := map[string]*MFAGroup{}
	for _, name := range c.ProfileNames() {
		ch, err := c.Resolve(name)
		if err != nil {
			continue
		}
		key, ok := ch.MFASessionKey()
		if !ok {
			continue
		}
		g := groups[key]
		if g == nil {
			g = &MFAGroup{Key: key, Serial: ch.MFA.Serial, BaseProfile: ch.Base.Profile}
			groups[key] = g
		}
		g.Profiles = append(g.Profiles, name)
	}
	out := make([]MFAGroup, 0, len(groups))
	for _, g := range groups {
		sort.Strings(g.Profiles)
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
