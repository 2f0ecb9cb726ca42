package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Input limits: what one file may hold (the loaders' own limits, so that
// reading stops one byte past them), and the deepest organization path.
const (
	maxAuthDetailsBytes = account.MaxAuthorizationDetailsBytes
	maxReportBytes      = account.MaxCredentialReportBytes
	maxSCPBytes         = account.MaxSCPFileBytes
	maxActionsBytes     = 4 << 20
	maxSCPFiles         = 7 // root, five levels of OUs, the account
)

// readAccount reads the account offline when --authorization-details is
// given, else live.
func (o *Options) readAccount(ctx context.Context, prog *progress) (*account.Account, error) {
	if o.AuthorizationDetails != "" {
		return o.readOffline()
	}
	return o.readLive(ctx, prog)
}

// readOffline loads --authorization-details and, when given, the
// credential report and the SCP files.
func (o *Options) readOffline() (*account.Account, error) {
	b := o.Backend
	if b.LoadAuthorizationDetails == nil {
		return nil, failed(fmt.Errorf("--authorization-details: reading authorization details is %w", errNotWired))
	}
	in, err := o.read(o.AuthorizationDetails, maxAuthDetailsBytes, "get-account-authorization-details output")
	if err != nil {
		return nil, err
	}
	acct, err := b.LoadAuthorizationDetails(in.Name, in.Data)
	if err != nil {
		return nil, failed(inputError(in.Name, err))
	}
	sources := []string{in.Name}
	if o.CredentialReport != "" {
		if b.ParseCredentialReport == nil {
			return nil, failed(fmt.Errorf("--credential-report: reading a credential report is %w", errNotWired))
		}
		in, err := o.read(o.CredentialReport, maxReportBytes, "credential report")
		if err != nil {
			return nil, err
		}
		if acct.Report, err = b.ParseCredentialReport(in.Name, in.Data); err != nil {
			return nil, failed(inputError(in.Name, err))
		}
		sources = append(sources, in.Name)
	}
	if len(o.SCPs) > 0 {
		org, err := o.readSCPs()
		if err != nil {
			return nil, err
		}
		acct.Org = org
		sources = append(sources, fmt.Sprintf("%d SCP file(s)", len(o.SCPs)))
	}
	acct.Source = strings.Join(sources, " + ")
	return acct, nil
}

func (o *Options) readSCPs() (*account.Organization, error) {
	if o.Backend.LoadSCPs == nil {
		return nil, failed(fmt.Errorf("--scp: reading SCP files is %w", errNotWired))
	}
	if len(o.SCPs) > maxSCPFiles {
		return nil, cmdutil.UsageError("--scp: %d files; an account is at most %d levels deep (root, 5 OUs, the account)", len(o.SCPs), maxSCPFiles)
	}
	files := make([]account.SCPFile, 0, len(o.SCPs))
	for _, name := range o.SCPs {
		in, err := o.read(name, maxSCPBytes, "service control policy")
		if err != nil {
			return nil, err
		}
		files = append(files, account.SCPFile{Name: in.Name, Data: in.Data})
	}
	org, err := o.Backend.LoadSCPs(files)
	if err != nil {
		return nil, failed(err)
	}
	return org, nil
}

// readActions reads --actions.
func (o *Options) readActions() ([]string, error) {
	if o.Backend.ParseActions == nil {
		return nil, failed(fmt.Errorf("--actions: reading an actions file is %w", errNotWired))
	}
	in, err := o.read(o.Actions, maxActionsBytes, "actions file")
	if err != nil {
		return nil, err
	}
	acts, err := o.Backend.ParseActions(in.Data, in.Name)
	if err != nil {
		return nil, failed(inputError(in.Name, err))
	}
	if len(acts) == 0 {
		return nil, failed(fmt.Errorf("%s: no actions", in.Name))
	}
	return acts, nil
}

// read reads a named file ("-": standard input) up to limit bytes.
func (o *Options) read(name string, limit int64, what string) (Input, error) {
	data, shown, err := cmdutil.ReadInputLimit(name, o.IO.In, limit, what)
	if err != nil {
		return Input{}, failed(err)
	}
	return Input{Name: shown, Data: data}, nil
}

// inputError makes sure an error about a file names it: loaders' errors
// (policy.ErrorList, positions) already do.
func inputError(name string, err error) error {
	var list policy.ErrorList
	if errors.As(err, &list) || strings.HasPrefix(err.Error(), name) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// readLive reads the account through the IAM API.
func (o *Options) readLive(ctx context.Context, prog *progress) (*account.Account, error) {
	if o.Backend.ReadLive == nil {
		return nil, failed(fmt.Errorf("reading an account live is %w; use --authorization-details", errNotWired))
	}
	cfg, source, err := o.liveConfig(ctx)
	if err != nil {
		return nil, err
	}
	var stats LiveStats
	acct, err := o.Backend.ReadLive(ctx, cfg, LiveOptions{Source: source, Progress: prog.live, Stats: &stats})
	prog.liveDone(stats)
	if err != nil {
		return nil, failed(fmt.Errorf("reading the account (%s): %w", source, err))
	}
	return acct, nil
}

// IAM is global; its calls are signed for this region unless the profile
// or the environment names one (us-east-1 holds IAM's endpoint in the aws
// partition).
const defaultRegion = "us-east-1"

// liveConfig builds the SDK configuration for a live read, with the
// precedence of the SDKs:
//
//  1. --profile: resolved by awsmfa (any profile the credential commands
//     take, with MFA sessions, role chains and awsmfa's cache);
//  2. access keys in the environment (AWS_ACCESS_KEY_ID...);
//  3. $AWS_PROFILE or the default profile when the config files define
//     it: resolved by awsmfa as in 1;
//  4. otherwise the SDK's default chain (a web identity token file,
//     container and instance roles).
//
// Endpoints configured for IAM, STS and Organizations (AWS_ENDPOINT_URL*,
// endpoint_url, a services section: the lab) are used in 1 to 3.
func (o *Options) liveConfig(ctx context.Context) (aws.Config, string, error) {
	f := o.Factory
	cfg, err := f.LoadConfig()
	if err != nil {
		return aws.Config{}, "", failed(err)
	}
	name := f.ProfileName(o.Profile)
	switch {
	case o.Profile == "" && f.Getenv("AWS_ACCESS_KEY_ID") != "":
		return o.envConfig(cfg, name)
	case o.Profile == "" && (cfg.Profile(name) == nil || f.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != ""):
		return o.sdkConfig(ctx, "the default credential chain")
	}
	f.WarnConfig(cfg)
	ch, err := cfg.Resolve(name)
	if err != nil {
		return aws.Config{}, "", failed(err)
	}
	return o.profileConfig(ctx, cfg, ch)
}

// profileConfig builds the configuration of a profile awsmfa resolved:
// credentials from the broker (cached, refreshed, asking for an MFA code
// when the chain needs one) and the chain's region.
func (o *Options) profileConfig(ctx context.Context, cfg *awsconfig.Config, ch *awsconfig.Chain) (aws.Config, string, error) {
	f := o.Factory
	if err := broker.CheckLoop(ch, f.Getenv); err != nil {
		return aws.Config{}, "", failed(err)
	}
	b, err := f.Broker(cfg, ch, brokerutil.Flags{Profile: ch.Profile}, brokerutil.PromptInteractive)
	if err != nil {
		return aws.Config{}, "", failed(err)
	}
	// Fetch once now, so that a missing code or a refused role fails
	// before the read starts; the provider refreshes later if the read
	// outlasts the credentials.
	first, err := b.GetChain(ctx, ch, broker.GetOptions{MinRemaining: broker.CLIMinRemaining})
	if err != nil {
		return aws.Config{}, "", failed(err)
	}
	provider := &brokerProvider{broker: b, chain: ch, first: first, now: f.Clock}
	c, err := o.baseConfig(cfg, ch.Profile, ch.Region, aws.NewCredentialsCache(provider))
	return c, fmt.Sprintf("profile %s (live IAM)", ch.Profile), err
}

// envConfig signs with the access keys of the environment, as the SDKs do
// when no profile is named.
func (o *Options) envConfig(cfg *awsconfig.Config, profile string) (aws.Config, string, error) {
	f := o.Factory
	id, secret := f.Getenv("AWS_ACCESS_KEY_ID"), f.Getenv("AWS_SECRET_ACCESS_KEY")
	if secret == "" {
		return aws.Config{}, "", failed(errors.New("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"))
	}
	region := f.Getenv(awsconfig.EnvRegion)
	if region == "" {
		region = f.Getenv(awsconfig.EnvDefaultRegion)
	}
	if region == "" {
		region = cfg.Profile(profile).Value("region")
	}
	creds := aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, f.Getenv("AWS_SESSION_TOKEN")))
	c, err := o.baseConfig(cfg, profile, region, creds)
	return c, "access keys from the environment (live IAM)", err
}

// baseConfig is an SDK configuration with the region (IAM's default when
// empty), the credentials, and the endpoints the configuration names for
// the services a read calls.
func (o *Options) baseConfig(cfg *awsconfig.Config, profile, region string, creds aws.CredentialsProvider) (aws.Config, error) {
	if region == "" {
		region = defaultRegion
	}
	endpoints := map[string]string{}
	for _, svc := range []string{"iam", "sts", "organizations"} {
		e, err := cfg.EndpointURL(profile, svc)
		if err != nil {
			return aws.Config{}, failed(err)
		}
		if e.URL != "" {
			endpoints[svc] = e.URL
		}
	}
	c := aws.Config{Region: region, Credentials: creds, AppID: "awsmfa", HTTPClient: httpClient(o.Factory)}
	if len(endpoints) > 0 {
		c.EndpointResolverWithOptions = endpointResolver(endpoints)
	}
	return c, nil
}

// sdkConfig is the SDK's default configuration, for credentials awsmfa
// does not resolve itself.
func (o *Options) sdkConfig(ctx context.Context, source string) (aws.Config, string, error) {
	c, err := sdkconfig.LoadDefaultConfig(ctx, sdkconfig.WithAppID("awsmfa"))
	if err != nil {
		return aws.Config{}, "", failed(fmt.Errorf("loading the AWS configuration: %w", err))
	}
	if c.Region == "" {
		c.Region = defaultRegion
	}
	if hc := httpClient(o.Factory); hc != nil {
		c.HTTPClient = hc
	}
	return c, source + " (live IAM)", nil
}

func httpClient(f *brokerutil.Factory) aws.HTTPClient {
	if f.HTTPClient == nil {
		return nil
	}
	return f.HTTPClient
}

// brokerProvider hands the SDK the broker's credentials for the chain:
// first those fetched before the read, then, if the read outlasts them,
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
