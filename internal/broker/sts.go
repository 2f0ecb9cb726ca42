package broker

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
)

// stsClient builds an STS client for the chain's region and endpoint that
// signs with c. No shared configuration is loaded: the chain already says
// everything.
func (b *Broker) stsClient(ch *awsconfig.Chain, c *credcache.Credentials) *sts.Client {
	region := ch.Region
	if region == "" {
		region = defaultRegion
	}
	attempts := b.RetryMaxAttempts
	if attempts <= 0 {
		attempts = 3
	}
	o := sts.Options{
		Region: region,
		AppID:  "awsmfa",
		Retryer: retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = 2 * time.Second
		}),
	}
	if c != nil {
		o.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	} else {
		o.Credentials = aws.AnonymousCredentials{}
	}
	if ch.STSEndpoint != "" {
		o.BaseEndpoint = aws.String(ch.STSEndpoint)
	}
	if b.HTTPClient != nil {
		o.HTTPClient = b.HTTPClient
	}
	return sts.New(o)
}

// getSessionToken asks for a code and gets the chain's MFA session.
func (r *run) getSessionToken(ctx context.Context) (*credcache.Credentials, error) {
	ch := r.ch
	base, err := r.base(ctx)
	if err != nil {
		return nil, err
	}
	serial := ch.MFA.Serial
	code, err := r.code(ctx, serial, ch.MFA.SerialProfile, r.sessionReason())
	if err != nil {
		return nil, err
	}
	dur := ch.MFA.SessionDuration
	if dur <= 0 {
		dur = awsconfig.DefaultMFASession
	}
	out, err := r.b.stsClient(ch, base).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber:    aws.String(serial),
		TokenCode:       aws.String(code),
		DurationSeconds: aws.Int32(int32(dur / time.Second)),
	})
	if err != nil {
		return nil, explainSTS(stsCall{op: "sts:GetSessionToken", profile: ch.Profile, chain: ch,
			keyID: base.AccessKeyID, keyFrom: r.baseFrom(), serial: serial, serialAt: r.serialAt(), mfaInCall: true}, err)
	}
	c, err := fromSTS(out.Credentials)
	if err != nil {
		return nil, &Error{Code: CodeSTS, Profile: ch.Profile, Op: "sts:GetSessionToken", Msg: err.Error()}
	}
	now := r.b.now()
	c.Kind = KindSessionToken
	c.MFA = true
	c.MFAAuthTime = now.UTC().Truncate(time.Second)
	c.AccountID = accountFromARN(serial)
	if c.AccountID == "" {
		c.AccountID = ch.Base.AccountID
	}
	r.b.logf("MFA session for %s valid until %s (%s), shared by every profile using access key %s with this device",
		serial, c.Expiration.Local().Format("2006-01-02 15:04:05 MST"), FormatDuration(c.Expiration.Sub(now).Round(time.Minute)), base.AccessKeyID)
	return c, nil
}

func (r *run) sessionReason() string {
	return fmt.Sprintf("for profile %s (an MFA session of %s)", r.ch.Profile, FormatDuration(r.ch.MFA.SessionDuration))
}

func (r *run) serialAt() string {
	ch := r.ch
	at := fmt.Sprintf("mfa_serial of profile %q", ch.MFA.SerialProfile)
	if l := ch.MFA.SerialAt.String(); l != "" {
		at += " at " + l
	}
	return at
}

func (r *run) baseFrom() string {
	b := &r.ch.Base
	what := string(b.Kind)
	if b.Kind == awsconfig.BaseStatic {
		what = "aws_access_key_id"
	}
	s := fmt.Sprintf("%s of profile %q", what, b.Profile)
	if l := b.At.String(); l != "" {
		s += " at " + l
	}
	return s
}

// assumeRole makes the chain's step i with the credentials src.
func (r *run) assumeRole(ctx context.Context, i int, src *credcache.Credentials) (*credcache.Credentials, error) {
	ch := r.ch
	s := &ch.Steps[i]
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(s.RoleARN),
		RoleSessionName: aws.String(r.sessionName(s)),
	}
	if s.ExternalID != "" {
		in.ExternalId = aws.String(s.ExternalID)
	}
	if s.DurationSeconds > 0 {
		in.DurationSeconds = aws.Int32(int32(s.Duration() / time.Second))
	}
	session := r.keys.Session != ""
	mfaInCall := !session && s.MFASerial != ""
	if mfaInCall {
		code, err := r.code(ctx, s.MFASerial, s.Profile, fmt.Sprintf("for profile %s (role %s)", s.Profile, s.RoleARN))
		if err != nil {
			return nil, err
		}
		in.SerialNumber, in.TokenCode = aws.String(s.MFASerial), aws.String(code)
	}
	out, err := r.b.stsClient(ch, src).AssumeRole(ctx, in)
	if err != nil {
		keyFrom := r.baseFrom()
		switch {
		case i > 0:
			keyFrom = fmt.Sprintf("the session of role %s (profile %q)", ch.Steps[i-1].RoleARN, ch.Steps[i-1].Profile)
		case session:
			keyFrom = fmt.Sprintf("the MFA session of profile %q", ch.MFA.SerialProfile)
		}
		serialAt := ""
		if s.MFASerialAt.String() != "" {
			serialAt = fmt.Sprintf("mfa_serial of profile %q at %s", s.Profile, s.MFASerialAt)
		}
		roleAt := fmt.Sprintf("role_arn of profile %q", s.Profile)
		if l := s.RoleARNAt.String(); l != "" {
			roleAt += " at " + l
		}
		return nil, explainSTS(stsCall{op: "sts:AssumeRole", profile: s.Profile, chain: ch, keyID: src.AccessKeyID, keyFrom: keyFrom,
			serial: s.MFASerial, serialAt: serialAt, role: s.RoleARN, roleAt: roleAt, mfaInCall: mfaInCall, session: session}, err)
	}
	c, err := fromSTS(out.Credentials)
	if err != nil {
		return nil, &Error{Code: CodeSTS, Profile: s.Profile, Op: "sts:AssumeRole", Msg: err.Error()}
	}
	c.Kind = KindAssumeRole
	if out.AssumedRoleUser != nil {
		c.PrincipalARN = aws.ToString(out.AssumedRoleUser.Arn)
		c.AccountID = accountFromARN(c.PrincipalARN)
	}
	if c.AccountID == "" {
		c.AccountID = accountFromARN(s.RoleARN)
	}
	switch {
	case mfaInCall:
		c.MFA, c.MFAAuthTime = true, r.b.now().UTC().Truncate(time.Second)
	case src.MFA:
		c.MFA, c.MFAAuthTime = true, src.MFAAuthTime
	}
	if session {
		c.SourceKey = r.keys.Session
	} else if i > 0 {
		c.SourceKey = r.keys.Steps[i-1]
	}
	return c, nil
}

func fromSTS(c *ststypes.Credentials) (*credcache.Credentials, error) {
	if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretAccessKey) == "" {
		return nil, fmt.Errorf("STS answered without credentials")
	}
	out := &credcache.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
	}
	if c.Expiration != nil {
		out.Expiration = c.Expiration.UTC()
	}
	return out, nil
}
