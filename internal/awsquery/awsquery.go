// Package awsquery builds SigV4-signed requests of the AWS query protocols
// (awsQuery for STS and IAM, ec2Query for EC2) for calls whose SDK client
// awsmfa does not link: the demo's IAM and EC2 calls, the lab's load tests
// and raw-protocol tests. A signed Request can be sent, or replayed as is
// within the signature's 15 minutes.
package awsquery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Request is a prepared HTTP request, replayed as is.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Call names an AWS query-protocol call.
type Call struct {
	Service string     // signing name: "sts", "iam", "ec2"
	Action  string     // "GetCallerIdentity"
	Version string     // "2011-06-15"
	Params  url.Values // extra parameters
}

// Well-known calls.
var (
	GetCallerIdentity = Call{Service: "sts", Action: "GetCallerIdentity", Version: "2011-06-15"}
	ListUsers         = Call{Service: "iam", Action: "ListUsers", Version: "2010-05-08"}
	DescribeRegions   = Call{Service: "ec2", Action: "DescribeRegions", Version: "2016-11-15"}
)

// CallByName returns a well-known call by its action name.
func CallByName(name string) (Call, bool) {
	for _, c := range []Call{GetCallerIdentity, ListUsers, DescribeRegions} {
		if strings.EqualFold(c.Action, name) {
			return c, true
		}
	}
	return Call{}, false
}

// Sign builds the form-encoded POST of call to endpoint and signs it with
// SigV4 (the AWS SDK for Go v2 signer) at signingTime.
func Sign(ctx context.Context, endpoint string, call Call, creds aws.Credentials, region string, signingTime time.Time) (Request, error) {
	form := url.Values{}
	for k, v := range call.Params {
		form[k] = v
	}
	form.Set("Action", call.Action)
	form.Set("Version", call.Version)
	body := []byte(form.Encode())
	u := strings.TrimSuffix(endpoint, "/") + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Request{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return SignRequest(ctx, req, body, creds, call.Service, region, signingTime)
}

// SignRequest signs req, whose body is body, with SigV4 for service and
// region at signingTime, and returns it as a replayable Request.
func SignRequest(ctx context.Context, req *http.Request, body []byte, creds aws.Credentials, service, region string, signingTime time.Time) (Request, error) {
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, region, signingTime); err != nil {
		return Request{}, err
	}
	return Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body}, nil
}
