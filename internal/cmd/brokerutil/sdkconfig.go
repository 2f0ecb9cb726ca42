package brokerutil

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/credcache"
)

// IAM is global; its calls are signed for this region unless the profile
// or the environment names one (us-east-1 holds IAM's endpoint in the aws
// partition).
const defaultRegion = "us-east-1"

// SDKConfig builds an AWS SDK configuration for commands that call AWS
// APIs themselves (audit's live read, mfa), with the precedence of the
// SDKs:
//
//  1. profile (--profile): resolved by awsmfa (any profile the credential
//     commands take, with MFA sessions, role chains and awsmfa's cache);
//  2. access keys in the environment (AWS_ACCESS_KEY_ID...);
//  3. $AWS_PROFILE or the default profile when the config files define
//     it: resolved by awsmfa as in 1;
//  4. otherwise the SDK's default chain (a web identity token file,
//     container and instance roles).
//
// Endpoints configured for services (AWS_ENDPOINT_URL*, endpoint_url, a
// services section: the lab) are used in 1 to 3. The second result names
// the credentials' source for messages ("profile admin", "access keys from
// the environment", "the default credential chain").
func (f *Factory) SDKConfig(ctx context.Context, profile string, services ...string) (aws.Config, string, error) {
	cfg, err := f.LoadConfig()
	if err != nil {
		return aws.Config{}, "", err
	}
	name := f.ProfileName(profile)
	switch {
	case profile == "" && f.Getenv("AWS_ACCESS_KEY_ID") != "":
		return f.envConfig(cfg, name, services)
	case profile == "" && (cfg.Profile(name) == nil || f.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != ""):
		return f.defaultChain(ctx, cfg, "the default credential chain", services)
	}
	f.WarnConfig(cfg)
	ch, err := cfg.Resolve(name)
	if err != nil {
		return aws.Config{}, "", err
	}
	return f.profileConfig(ctx, cfg, ch, services)
}

// profileConfig builds the configuration of a profile awsmfa resolved:
// credentials from the broker (cached, refreshed, asking for an MFA code
// when the chain needs one) and the chain's region.
func (f *Factory) profileConfig(ctx context.Context, cfg *awsconfig.Config, ch *awsconfig.Chain, services []string) (aws.Config, string, error) {
	if err := broker.CheckLoop(ch, f.Getenv); err != nil {
		return aws.Config{}, "", err
	}
	return f.chainConfig(ctx, cfg, ch, services)
}

// chainConfig is the configuration of a resolved chain, its credentials
// from the broker.
func (f *Factory) chainConfig(ctx context.Context, cfg *awsconfig.Config, ch *awsconfig.Chain, services []string) (aws.Config, string, error) {
	b, err := f.Broker(cfg, ch, Flags{Profile: ch.Profile}, PromptInteractive)
	if err != nil {
		return aws.Config{}, "", err
	}
	// Fetch once now, so that a missing code or a refused role fails
	// before the calls start; the provider refreshes later if the work
	// outlasts the credentials.
	first, err := b.GetChain(ctx, ch, broker.GetOptions{MinRemaining: broker.CLIMinRemaining})
	if err != nil {
		return aws.Config{}, "", err
	}
	provider := &brokerProvider{broker: b, chain: ch, first: first, now: f.Clock}
	c, err := f.baseConfig(cfg, ch.Profile, ch.Region, aws.NewCredentialsCache(provider), services)
	return c, "profile " + ch.Profile, err
}

// envConfig signs with the access keys of the environment, as the SDKs do
// when no profile is named.
func (f *Factory) envConfig(cfg *awsconfig.Config, profile string, services []string) (aws.Config, string, error) {
	id, secret := f.Getenv("AWS_ACCESS_KEY_ID"), f.Getenv("AWS_SECRET_ACCESS_KEY")
	if secret == "" {
		return aws.Config{}, "", errors.New("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
	}
	region := f.Getenv(awsconfig.EnvRegion)
	if region == "" {
		region = f.Getenv(awsconfig.EnvDefaultRegion)
	}
	if region == "" {
		region = cfg.Profile(profile).Value("region")
	}
	creds := aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, f.Getenv("AWS_SESSION_TOKEN")))
	c, err := f.baseConfig(cfg, profile, region, creds, services)
	return c, "access keys from the environment", err
}

// StaticConfig is an SDK configuration that signs with creds, with the
// profile's region (or the environment's) and the endpoints the
// configuration names for the services: for checking a key (keys add
// --verify, keys rotate) at the profile's endpoint.
func (f *Factory) StaticConfig(cfg *awsconfig.Config, profile string, creds aws.CredentialsProvider, services ...string) (aws.Config, error) {
	region := f.Getenv(awsconfig.EnvRegion)
	if region == "" {
		region = f.Getenv(awsconfig.EnvDefaultRegion)
	}
	if p := cfg.Profile(profile); region == "" && p != nil {
		region = p.Value("region")
	}
	return f.baseConfig(cfg, profile, region, creds, services)
}

// baseConfig is an SDK configuration with the region (IAM's default when
// empty), the credentials, and the endpoints the configuration names for
// the services.
func (f *Factory) baseConfig(cfg *awsconfig.Config, profile, region string, creds aws.CredentialsProvider, services []string) (aws.Config, error) {
	if region == "" {
		region = defaultRegion
	}
	endpoints := map[string]string{}
	for _, svc := range services {
		e, err := cfg.EndpointURL(profile, svc)
		if err != nil {
			return aws.Config{}, err
		}
		if e.URL != "" {
			endpoints[svc] = e.URL
		}
	}
	c := aws.Config{Region: region, Credentials: creds, AppID: "awsmfa", HTTPClient: f.httpClient()}
	if len(endpoints) > 0 {
		c.EndpointResolverWithOptions = endpointResolver(endpoints)
	}
	return c, nil
}

// defaultChain covers what the SDK's default chain adds when no profile
// applies (access keys in the environment are handled before): a web
// identity token file (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), the
// container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*), else the
// instance's role (IMDS). awsmfa resolves these through its broker, as the
// same sources in a profile (web_identity_token_file, credential_source),
// instead of linking the SDK's config loader, whose SSO and sign-in clients
// would cost every awsmfa start their initialisation.
func (f *Factory) defaultChain(ctx context.Context, cfg *awsconfig.Config, source string, services []string) (aws.Config, string, error) {
	ch := &awsconfig.Chain{Region: f.Getenv(awsconfig.EnvRegion), RegionFrom: "the environment"}
	if ch.Region == "" {
		ch.Region = f.Getenv(awsconfig.EnvDefaultRegion)
	}
	at := awsconfig.Location{File: "the environment"}
	switch {
	case f.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		ch.Base = awsconfig.Base{Kind: awsconfig.BaseWebIdentity, At: at, RoleARN: f.Getenv("AWS_ROLE_ARN"),
			WebIdentityTokenFile: f.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), RoleSessionName: f.Getenv("AWS_ROLE_SESSION_NAME")}
		if ch.Base.RoleARN == "" {
			return aws.Config{}, "", errors.New("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
		}
	case f.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "" || f.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "":
		ch.Base = awsconfig.Base{Kind: awsconfig.BaseCredentialSource, At: at, CredentialSource: "EcsContainer"}
	default:
		ch.Base = awsconfig.Base{Kind: awsconfig.BaseCredentialSource, At: at, CredentialSource: "Ec2InstanceMetadata"}
	}
	c, _, err := f.chainConfig(ctx, cfg, ch, services)
	return c, source, err
}

func (f *Factory) httpClient() aws.HTTPClient {
	if f.HTTPClient == nil {
		return nil
	}
	return f.HTTPClient
}

// brokerProvider hands the SDK the broker's credentials for the chain:
// first those fetched before the calls, then, if the work outlasts them,
// fresh ones through the broker (and its cache).
type brokerProvider struct {
	broker *broker.Broker
	chain  *awsconfig.Chain
	first  *credcache.Credentials
	now    func() time.Time
}

// providerMargin is the validity credentials handed to the SDK keep.
const providerMargin = 5 * time.Minute

func (p *brokerProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c := p.first
	if c == nil || (!c.Expiration.IsZero() && c.Expiration.Before(p.now().Add(providerMargin))) {
		var err error
		if c, err = p.broker.GetChain(ctx, p.chain, broker.GetOptions{MinRemaining: providerMargin}); err != nil {
			return aws.Credentials{}, err
		}
		p.first = c
	}
	out := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Source: "awsmfa"}
	if !c.Expiration.IsZero() {
		out.CanExpire, out.Expires = true, c.Expiration
	}
	return out, nil
}

// endpointResolver sends the services configured with an endpoint URL
// there and leaves the others to the SDK's own resolution.
func endpointResolver(urls map[string]string) aws.EndpointResolverWithOptions {
	return aws.EndpointResolverWithOptionsFunc(func(service, region string, _ ...any) (aws.Endpoint, error) {
		if u, ok := urls[strings.ToLower(service)]; ok {
			return aws.Endpoint{URL: u, SigningRegion: region, Source: aws.EndpointSourceCustom}, nil
		}
		return aws.Endpoint{}, &aws.EndpointNotFoundError{}
	})
}
