// Package demo plays the seeds' story against an in-process awsmfa lab with
// real AWS SDK for Go v2 calls over loopback HTTP, and reports what happened
// and which policy statement decided each step.
//
// The story (seeds 000-004): a Deny meant to require MFA written with
// "Bool" lets long-term access keys through, because
// aws:MultiFactorAuthPresent is absent from their requests; the same Deny
// with "BoolIfExists" stops them until the user trades an MFA code for a
// session token; a role whose trust policy requires MFA can be assumed only
// with the MFA serial number and a code.
package demo

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// Outcomes of a step.
const (
	Allowed = "allowed"
	Denied  = "denied"
	Failed  = "error" // anything else: a wrong error code, a transport error
)

// Step is one call of the story and what the lab said about it.
type Step struct {
	N           int    `json:"step"`
	Title       string `json:"title"`
	Principal   string `json:"principal"`
	Credentials string `json:"credentials"`
	Call        string `json:"call"`
	Expected    string `json:"expected"`
	Result      string `json:"result"`
	AsExpected  bool   `json:"asExpected"`
	ErrorCode   string `json:"errorCode,omitempty"`
	Message     string `json:"message,omitempty"`
	// Answer summarizes a successful response ("3 users: ...", an ARN).
	Answer string `json:"answer,omitempty"`
	// Decision, Policy, Statement and Reason are what the lab logged for
	// the request: the evaluator's decision and the deciding statement.
	Decision  string `json:"decision,omitempty"`
	Policy    string `json:"policy,omitempty"`
	Statement string `json:"statement,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Note      string `json:"note,omitempty"`
	RequestID string `json:"requestId,omitempty"`
	// Why is the lesson of the step.
	Why string `json:"why"`
}

// DecidedBy renders the deciding statement for people.
func (s Step) DecidedBy() string {
	pol := s.Policy
	if i := strings.Index(pol, ":policy/"); i >= 0 && strings.HasPrefix(pol, "arn:") {
		pol = "managed policy " + pol[i+len(":policy/"):]
	}
	switch {
	case pol != "" && s.Statement != "" && strings.HasSuffix(pol, "/"+s.Statement):
		// An inline policy named after its statement.
		return pol
	case pol != "" && s.Statement != "":
		return pol + ", statement " + s.Statement
	case pol != "":
		return pol
	case s.Decision == "allowed" && s.Note != "":
		return "no permission needed; " + s.Note
	case s.Decision == "allowed":
		return "no permission needed"
	case s.Decision == "implicitDeny":
		return "no statement allows it (implicit deny)"
	case s.Note != "":
		return s.Note
	}
	return "-"
}

// Report is the whole run.
type Report struct {
	Endpoint string `json:"endpoint"`
	Account  string `json:"account"`
	Scenario string `json:"scenario"`
	Steps    []Step `json:"steps"`
	// OK is true when every step behaved as the story expects.
	OK bool `json:"ok"`
}

// Options configures Run.
type Options struct {
	// LabLog, when set, receives the lab's per-request log lines (text).
	LabLog io.Writer
	// HTTPClient is used for every call (default: a fresh client without
	// proxies, so the loopback calls never leave the machine).
	HTTPClient *http.Client
}

// Run starts an ephemeral lab with the default scenario on a free loopback
// port, plays the story and stops the lab.
func Run(ctx context.Context, opts Options) (*Report, error) {
	st, err := store.OpenMemory()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	sc, err := scenario.Load(scenario.DefaultName)
	if err != nil {
		return nil, err
	}
	applied, err := seed.Apply(st, sc)
	if err != nil {
		return nil, fmt.Errorf("seeding the lab: %w", err)
	}
	rec := &recorder{}
	srv, err := lab.New(lab.Config{Store: st, Addr: "127.0.0.1:0", Logger: opts.LabLog, Observer: rec.observe})
	if err != nil {
		return nil, err
	}
	endpoint, err := srv.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	return Play(ctx, endpoint, applied, rec, opts.HTTPClient)
}

// recorder keeps the lab's records so each step can find its own.
type recorder struct {
	mu   sync.Mutex
	recs []lab.Record
}

func (r *recorder) observe(rec lab.Record) {
	r.mu.Lock()
	r.recs = append(r.recs, rec)
	r.mu.Unlock()
}

func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.recs)
}

// find returns the record of the request with the id, or else the last
// record of the action since mark.
func (r *recorder) find(mark int, requestID, action string) (lab.Record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if mark > len(r.recs) {
		mark = len(r.recs)
	}
	since := r.recs[mark:]
	if requestID != "" {
		for _, rec := range since {
			if rec.RequestID == requestID {
				return rec, true
			}
		}
	}
	for i := len(since) - 1; i >= 0; i-- {
		if since[i].Action == action {
			return since[i], true
		}
	}
	return lab.Record{}, false
}

// callResult is what one SDK call returned.
type callResult struct {
	err       error
	requestID string
	// creds are temporary credentials the call returned, if any.
	creds *aws.Credentials
	// summary describes a successful answer ("3 users", an ARN).
	summary string
}

// Play runs the story against a lab at endpoint seeded with the default
// scenario (applied). rec may be nil (no deciding statements then).
func Play(ctx context.Context, endpoint string, applied *scenario.Applied, rec *recorder, client *http.Client) (*Report, error) {
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
	}
	if rec == nil {
		rec = &recorder{}
	}
	user := func(name string) (scenario.AppliedUser, aws.Credentials, error) {
		u, ok := applied.User(name)
		if !ok || len(u.AccessKeys) == 0 || u.MFASerial == "" {
			return u, aws.Credentials{}, fmt.Errorf("scenario %s has no user %s with access keys and an MFA device", applied.Scenario, name)
		}
		return u, aws.Credentials{AccessKeyID: u.AccessKeys[0].ID, SecretAccessKey: u.AccessKeys[0].Secret, Source: "lab"}, nil
	}
	_, aliceKeys, err := user("alice")
	if err != nil {
		return nil, err
	}
	bob, bobKeys, err := user("bob")
	if err != nil {
		return nil, err
	}
	anika, anikaKeys, err := user("anika")
	if err != nil {
		return nil, err
	}
	role, ok := applied.Role("cli-role")
	if !ok {
		return nil, fmt.Errorf("scenario %s has no role cli-role", applied.Scenario)
	}
	c := &caller{endpoint: endpoint, region: applied.Region, http: client}

	var aliceSession, bobSession, roleSession *aws.Credentials
	type plan struct {
		title, principal, creds, call, expected, why string
		run                                          func() callResult
		// needs names a credential an earlier step must have produced.
		needs **aws.Credentials
	}
	plans := []plan{
		{
			title: "Seed 000: long-term keys vs the Bool deny", principal: "alice", creds: "long-term access key",
			call: "ec2:DescribeRegions", expected: Allowed,
			why: `The Deny tests {"Bool": {"aws:MultiFactorAuthPresent": "false"}}. Requests signed with long-term keys carry no aws:MultiFactorAuthPresent at all, so "Bool" does not match and the Deny never applies: no MFA was needed.`,
			run: func() callResult { return c.describeRegions(ctx, aliceKeys) },
		},
		{
			title: "A session token without MFA", principal: "alice", creds: "long-term access key",
			call: "sts:GetSessionToken", expected: Allowed,
			why: `GetSessionToken cannot be denied by policies. Called without SerialNumber and TokenCode, it returns a session whose requests carry aws:MultiFactorAuthPresent = "false".`,
			run: func() callResult {
				r := c.getSessionToken(ctx, aliceKeys, "", "")
				aliceSession = r.creds
				return r
			},
		},
		{
			title: "Seed 000: the same Bool deny vs a session without MFA", principal: "alice", creds: "session token without MFA",
			call: "ec2:DescribeRegions", expected: Denied, needs: &aliceSession,
			why: `Now the key is present and "false", so the Bool deny matches. This is why the policy works in the console (which uses sessions) and not with the CLI's long-term keys.`,
			run: func() callResult { return c.describeRegions(ctx, *aliceSession) },
		},
		{
			title: "Seed 004: long-term keys vs the BoolIfExists deny", principal: "bob", creds: "long-term access key",
			call: "ec2:DescribeRegions", expected: Denied,
			why: `"BoolIfExists" matches when the key is absent, so the Deny applies to long-term keys: MFA is really required.`,
			run: func() callResult { return c.describeRegions(ctx, bobKeys) },
		},
		{
			title: "Trading an MFA code for a session token", principal: "bob", creds: "long-term access key + MFA code",
			call: "sts:GetSessionToken", expected: Allowed,
			why: `The lab checks the code against bob's virtual MFA device (RFC 6238, one use per code); the session carries aws:MultiFactorAuthPresent = "true" and aws:MultiFactorAuthAge.`,
			run: func() callResult {
				code, err := bob.Code(time.Now())
				if err != nil {
					return callResult{err: err}
				}
				r := c.getSessionToken(ctx, bobKeys, bob.MFASerial, code)
				bobSession = r.creds
				return r
			},
		},
		{
			title: "Seed 004: the MFA session vs the BoolIfExists deny", principal: "bob", creds: "session token with MFA",
			call: "ec2:DescribeRegions", expected: Allowed, needs: &bobSession,
			why: `aws:MultiFactorAuthPresent is "true", the Deny does not match, and the group's Allow grants the call.`,
			run: func() callResult { return c.describeRegions(ctx, *bobSession) },
		},
		{
			title: "Seed 002: assuming cli-role without MFA", principal: "anika", creds: "long-term access key",
			call: "sts:AssumeRole", expected: Denied,
			why: `cli-role's trust policy allows anika only with {"Bool": {"aws:multifactorAuthPresent": true}}; an AssumeRole call without SerialNumber and TokenCode does not satisfy it (the CLI profile "role-without-mfa").`,
			run: func() callResult { return c.assumeRole(ctx, anikaKeys, role.ARN, "", "") },
		},
		{
			title: "Seed 002: assuming cli-role with an MFA code", principal: "anika", creds: "long-term access key + MFA code",
			call: "sts:AssumeRole", expected: Allowed,
			why: `With SerialNumber and a valid TokenCode the AssumeRole call is evaluated with MFA present, so the trust policy allows it (the CLI profile "role-with-mfa" prompts "Enter MFA code").`,
			run: func() callResult {
				code, err := anika.Code(time.Now())
				if err != nil {
					return callResult{err: err}
				}
				r := c.assumeRole(ctx, anikaKeys, role.ARN, anika.MFASerial, code)
				roleSession = r.creds
				return r
			},
		},
		{
			title: "Working as the role", principal: "cli-role", creds: "role session (assumed with MFA)",
			call: "iam:ListUsers", expected: Allowed, needs: &roleSession,
			why: `MFA was checked when the role was assumed; the role's own policy grants the call (seed 002's "aws iam list-users --profile role-with-mfa").`,
			run: func() callResult { return c.listUsers(ctx, *roleSession) },
		},
	}

	report := &Report{Endpoint: endpoint, Account: applied.Account, Scenario: applied.Scenario, OK: true}
	for i, p := range plans {
		step := Step{N: i + 1, Title: p.title, Principal: p.principal, Credentials: p.creds, Call: p.call, Expected: p.expected, Why: p.why}
		if p.needs != nil && *p.needs == nil {
			step.Result = Failed
			step.Message = "skipped: an earlier step did not return the credentials this one needs"
		} else {
			mark := rec.mark()
			r := p.run()
			step.RequestID = r.requestID
			step.Result, step.ErrorCode, step.Message = classify(r)
			if step.Result == Allowed {
				step.Answer = r.summary
			}
			if lr, ok := rec.find(mark, r.requestID, p.call); ok {
				step.Decision, step.Policy, step.Statement, step.Reason, step.Note = lr.Decision, lr.Policy, lr.Statement, lr.Reason, lr.Note
				if step.RequestID == "" {
					step.RequestID = lr.RequestID
				}
			}
		}
		step.AsExpected = step.Result == step.Expected
		if !step.AsExpected {
			report.OK = false
		}
		report.Steps = append(report.Steps, step)
	}
	return report, nil
}

// classify maps a call's outcome to allowed / denied / error. Denied means
// AWS's authorization failure codes: AccessDenied (STS, IAM) or
// UnauthorizedOperation (EC2).
func classify(r callResult) (result, code, message string) {
	if r.err == nil {
		return Allowed, "", ""
	}
	var ae smithy.APIError
	if errors.As(r.err, &ae) {
		code, message = ae.ErrorCode(), ae.ErrorMessage()
		if code == "AccessDenied" || code == "UnauthorizedOperation" {
			return Denied, code, message
		}
		return Failed, code, message
	}
	return Failed, "", r.err.Error()
}

// caller makes the story's calls with the AWS SDK for Go v2.
type caller struct {
	endpoint string
	region   string
	http     *http.Client
}

func (c *caller) stsClient(creds aws.Credentials) *sts.Client {
	return sts.New(sts.Options{
		Region:           c.region,
		BaseEndpoint:     aws.String(c.endpoint),
		Credentials:      credentials.StaticCredentialsProvider{Value: creds},
		HTTPClient:       c.http,
		RetryMaxAttempts: 1,
	})
}

func requestIDOf(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

func (c *caller) getSessionToken(ctx context.Context, creds aws.Credentials, serial, code string) callResult {
	in := &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
	}
	out, err := c.stsClient(creds).GetSessionToken(ctx, in)
	if err != nil {
		return callResult{err: err, requestID: requestIDOf(err)}
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	cr := out.Credentials
	if cr == nil {
		return callResult{err: errors.New("GetSessionToken returned no credentials"), requestID: id}
	}
	creds = aws.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey),
		SessionToken: aws.ToString(cr.SessionToken), Source: "lab", CanExpire: true, Expires: aws.ToTime(cr.Expiration)}
	return callResult{requestID: id, creds: &creds, summary: "temporary key " + prefix(creds.AccessKeyID)}
}

func (c *caller) assumeRole(ctx context.Context, creds aws.Credentials, roleARN, serial, code string) callResult {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("awsmfa-demo"), DurationSeconds: aws.Int32(900)}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
	}
	out, err := c.stsClient(creds).AssumeRole(ctx, in)
	if err != nil {
		return callResult{err: err, requestID: requestIDOf(err)}
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	cr := out.Credentials
	if cr == nil {
		return callResult{err: errors.New("AssumeRole returned no credentials"), requestID: id}
	}
	creds = aws.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey),
		SessionToken: aws.ToString(cr.SessionToken), Source: "lab", CanExpire: true, Expires: aws.ToTime(cr.Expiration)}
	summary := "temporary key " + prefix(creds.AccessKeyID)
	if out.AssumedRoleUser != nil {
		summary = aws.ToString(out.AssumedRoleUser.Arn)
	}
	return callResult{requestID: id, creds: &creds, summary: summary}
}

// listUsers calls iam:ListUsers, signed like describeRegions: the SDK's IAM
// client would add its large schema tables to every awsmfa process's
// start-up (credential_process runs awsmfa once per AWS CLI call).
func (c *caller) listUsers(ctx context.Context, creds aws.Credentials) callResult {
	body, status, err := c.signedQuery(ctx, awsquery.ListUsers, creds)
	if err != nil {
		return callResult{err: err}
	}
	if status == http.StatusOK {
		var ok struct {
			Users     []string `xml:"ListUsersResult>Users>member>UserName"`
			RequestID string   `xml:"ResponseMetadata>RequestId"`
		}
		if err := xml.Unmarshal(body, &ok); err != nil {
			return callResult{err: fmt.Errorf("ListUsers: bad response: %w", err)}
		}
		return callResult{requestID: ok.RequestID, summary: fmt.Sprintf("%d users: %s", len(ok.Users), strings.Join(ok.Users, ", "))}
	}
	var e struct {
		Code      string `xml:"Error>Code"`
		Message   string `xml:"Error>Message"`
		RequestID string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(body, &e); err != nil || e.Code == "" {
		return callResult{err: fmt.Errorf("ListUsers: HTTP %d with an unparsable body", status)}
	}
	return callResult{requestID: e.RequestID, err: &smithy.GenericAPIError{Code: e.Code, Message: e.Message}}
}

// describeRegions calls ec2:DescribeRegions (EC2 query protocol) signed
// with the SDK's SigV4 signer. The SDK's EC2 client is not used: it is a
// very large module for one call whose wire format is this simple.
func (c *caller) describeRegions(ctx context.Context, creds aws.Credentials) callResult {
	body, status, err := c.signedQuery(ctx, awsquery.DescribeRegions, creds)
	if err != nil {
		return callResult{err: err}
	}
	if status == http.StatusOK {
		var ok struct {
			RequestID string `xml:"requestId"`
			Regions   []struct {
				Name string `xml:"regionName"`
			} `xml:"regionInfo>item"`
		}
		if err := xml.Unmarshal(body, &ok); err != nil {
			return callResult{err: fmt.Errorf("DescribeRegions: bad response: %w", err)}
		}
		return callResult{requestID: ok.RequestID, summary: fmt.Sprintf("%d regions", len(ok.Regions))}
	}
	var e struct {
		Errors []struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Errors>Error"`
		RequestID string `xml:"RequestID"`
	}
	if err := xml.Unmarshal(body, &e); err != nil || len(e.Errors) == 0 {
		return callResult{err: fmt.Errorf("DescribeRegions: HTTP %d with an unparsable body", status)}
	}
	return callResult{requestID: e.RequestID, err: &smithy.GenericAPIError{Code: e.Errors[0].Code, Message: e.Errors[0].Message}}
}

// signedQuery sends one SigV4-signed query-protocol call to the lab and
// returns the response body and status.
func (c *caller) signedQuery(ctx context.Context, call awsquery.Call, creds aws.Credentials) ([]byte, int, error) {
	req, err := awsquery.Sign(ctx, c.endpoint, call, creds, c.region, time.Now())
	if err != nil {
		return nil, 0, err
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return nil, 0, err
	}
	hr.Header = req.Header
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, 0, err
	}
	return body, resp.StatusCode, nil
}

func prefix(keyID string) string {
	if len(keyID) <= 4 {
		return keyID
	}
	return keyID[:4] + "..."
}
