package broker

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/bytesize"
	"github.com/awsmfa/awsmfa/internal/credcache"
)

// base returns the chain's base credentials (never cached by the broker:
// static keys are in the files, and the other sources cache themselves).
func (r *run) base(ctx context.Context) (*credcache.Credentials, error) {
	b := &r.ch.Base
	switch b.Kind {
	case awsconfig.BaseStatic:
		if b.Stored {
			return r.storedKeys(ctx)
		}
		return &credcache.Credentials{AccessKeyID: b.AccessKeyID, SecretAccessKey: string(b.SecretAccessKey),
			SessionToken: string(b.SessionToken), AccountID: b.AccountID, Kind: KindStatic}, nil
	case awsconfig.BaseCredentialProcess:
		return r.runProcess(ctx)
	case awsconfig.BaseCredentialSource:
		return r.credentialSource(ctx)
	case awsconfig.BaseWebIdentity:
		return r.webIdentity(ctx)
	case awsconfig.BaseSSO:
		return nil, &Error{Code: CodeUnsupported, Profile: b.Profile, Op: "sso",
			Msg:  fmt.Sprintf("the chain starts with IAM Identity Center (SSO) settings (%s), which awsmfa does not sign in to", b.At),
			Hint: "SSO sign-in already involves MFA: use `aws sso login` and the profile directly with the AWS CLI"}
	case awsconfig.BaseLoginSession:
		return nil, &Error{Code: CodeUnsupported, Profile: b.Profile, Op: "login_session",
			Msg:  fmt.Sprintf("the chain starts with a console login session (login_session at %s), which awsmfa does not use", b.At),
			Hint: "use `aws login` and the profile directly with the AWS CLI"}
	}
	return nil, &Error{Code: CodeUnsupported, Profile: b.Profile, Msg: fmt.Sprintf("unknown kind of base credentials %q", b.Kind)}
}

// credentialSource reads credential_source = Environment, EcsContainer or
// Ec2InstanceMetadata.
func (r *run) credentialSource(ctx context.Context) (*credcache.Credentials, error) {
	b := &r.ch.Base
	fail := func(msg string, err error) error {
		return &Error{Code: CodeBase, Profile: b.Profile, Op: "credential_source", Err: err,
			Msg: fmt.Sprintf("credential_source = %s (%s): %s", b.CredentialSource, b.At, msg)}
	}
	var p aws.CredentialsProvider
	switch b.CredentialSource {
	case "Environment":
		id, secret := r.b.getenv("AWS_ACCESS_KEY_ID"), r.b.getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return nil, fail("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set", nil)
		}
		return &credcache.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: r.b.getenv("AWS_SESSION_TOKEN"),
			AccountID: r.b.getenv("AWS_ACCOUNT_ID"), Kind: KindSource}, nil
	case "EcsContainer":
		uri, err := awsconfig.ContainerCredentialsURI(awsconfig.Env{Getenv: r.b.getenv})
		if err != nil {
			return nil, fail(err.Error(), err)
		}
		p = endpointcreds.New(uri, func(o *endpointcreds.Options) {
			if r.b.HTTPClient != nil {
				o.HTTPClient = r.b.HTTPClient
			}
			o.AuthorizationToken = r.b.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
			if f := r.b.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" {
				o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
					return readTokenFile(f)
				})
			}
		})
	case "Ec2InstanceMetadata":
		p = ec2rolecreds.New()
	default:
		return nil, fail("not a credential source (use Environment, EcsContainer or Ec2InstanceMetadata)", nil)
	}
	v, err := p.Retrieve(ctx)
	if err != nil {
		return nil, fail(err.Error(), err)
	}
	return fromAWS(v, KindSource), nil
}

// webIdentity makes AssumeRoleWithWebIdentity with the token file.
func (r *run) webIdentity(ctx context.Context) (*credcache.Credentials, error) {
	b := &r.ch.Base
	client := r.b.stsClient(r.ch, nil)
	p := stscreds.NewWebIdentityRoleProvider(client, b.RoleARN, stscreds.IdentityTokenFile(b.WebIdentityTokenFile),
		func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = b.RoleSessionName
		})
	v, err := p.Retrieve(ctx)
	if err != nil {
		return nil, &Error{Code: CodeBase, Profile: b.Profile, Op: "sts:AssumeRoleWithWebIdentity", Err: err,
			Msg: fmt.Sprintf("web identity role %s with token file %s (%s): %v", b.RoleARN, b.WebIdentityTokenFile, b.At, err)}
	}
	c := fromAWS(v, KindAssumeRole)
	c.AccountID = accountFromARN(b.RoleARN)
	return c, nil
}

func fromAWS(v aws.Credentials, kind string) *credcache.Credentials {
	c := &credcache.Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey,
		SessionToken: v.SessionToken, AccountID: v.AccountID, Kind: kind}
	if v.CanExpire {
		c.Expiration = v.Expires.UTC()
	}
	return c
}

// MaxTokenFile is the most read of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// (a token is a line): reading stops one byte past it.
const MaxTokenFile = 16 << 10

// readTokenFile reads the container authorization token file, trimmed.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTokenFile+1))
	if err != nil {
		return "", err
	}
	if len(data) > MaxTokenFile {
		return "", fmt.Errorf("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s is larger than the %s limit of a token file", path, bytesize.Format(MaxTokenFile))
	}
	return strings.TrimSpace(string(data)), nil
}

// KeySource gives the secret of a long-term access key kept in the awsmfa
// key store (a chain whose base has awsconfig.Base.Stored).
type KeySource interface {
	Secret(ctx context.Context, profile, accessKeyID string) (string, error)
}

// storedKeys reads the base's secret from the key store, only now that
// an STS call needs it (a cache hit never does).
func (r *run) storedKeys(ctx context.Context) (*credcache.Credentials, error) {
	b := &r.ch.Base
	if r.b.Keys == nil {
		return nil, &Error{Code: CodeBase, Profile: b.Profile, Op: "key store",
			Msg: fmt.Sprintf("profile %s has its access key %s in the awsmfa key store, which is not open", b.Profile, b.AccessKeyID)}
	}
	secret, err := r.b.Keys.Secret(ctx, b.Profile, b.AccessKeyID)
	if err != nil {
		return nil, &Error{Code: CodeBase, Profile: b.Profile, Op: "key store", Err: err,
			Msg: fmt.Sprintf("reading the secret of access key %s from the awsmfa key store: %v", b.AccessKeyID, err)}
	}
	return &credcache.Credentials{AccessKeyID: b.AccessKeyID, SecretAccessKey: secret, AccountID: b.AccountID, Kind: KindStatic}, nil
}
