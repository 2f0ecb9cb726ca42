// Package mfautil is what the mfa commands share: IAM and STS clients for
// a profile (brokerutil's SDKConfig), the user a command acts for, and two
// consecutive codes read from the terminal or standard input.
package mfautil

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/mfadevice"
)

// Clients are the API clients of one profile.
type Clients struct {
	IAM *iam.Client
	STS *sts.Client
	// Source names the credentials ("profile bob").
	Source string
}

// NewClients builds the clients for profile ("" for the SDKs' choice).
func NewClients(ctx context.Context, f *brokerutil.Factory, profile string) (*Clients, error) {
	cfg, source, err := f.SDKConfig(ctx, profile, "iam", "sts")
	if err != nil {
		return nil, Failed(err)
	}
	return &Clients{IAM: iam.NewFromConfig(cfg), STS: sts.NewFromConfig(cfg), Source: source}, nil
}

// User is user when given, else the calling IAM user (GetCallerIdentity,
// which no policy can deny:
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
func (c *Clients) User(ctx context.Context, user string) (string, error) {
	if user != "" {
		if err := mfadevice.CheckName(user); err != nil {
			return "", cmdutil.UsageError("--user: %v", strings.Replace(err.Error(), "device name", "user name", 1))
		}
		return user, nil
	}
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", Failed(fmt.Errorf("who is calling (%s): %w", c.Source, err))
	}
	name, err := mfadevice.UserFromARN(derefString(out.Arn))
	if err != nil {
		return "", Failed(err)
	}
	return name, nil
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Failed makes err exit 2 (cmdutil.Failed).
func Failed(err error) error { return cmdutil.Failed(err) }

// maxLine bounds a line read for a code.
const maxLine = 256

// CodeReader reads two consecutive codes: on a terminal with prompts on
// standard error, else one per line from standard input.
type CodeReader struct {
	IO *iostreams.IOStreams
	r  *bufio.Reader
}

// Codes reads two consecutive codes. It returns when ctx ends even if a
// read is blocked (an interrupted enrollment then still deletes its
// device); the blocked read is abandoned with the process.
func (c *CodeReader) Codes(ctx context.Context) (string, string, error) {
	type result struct {
		c1, c2 string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		c1, c2, err := c.read()
		done <- result{c1, c2, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", "", r.err
		}
		return r.c1, r.c2, ctx.Err()
	case <-ctx.Done():
		return "", "", Failed(fmt.Errorf("reading the codes: %w", ctx.Err()))
	}
}

func (c *CodeReader) read() (string, string, error) {
	if c.r == nil {
		c.r = bufio.NewReaderSize(c.IO.In, maxLine)
	}
	tty := c.IO.IsStdinTTY()
	c1, err := c.code(tty, "First code from the authenticator app: ", "first")
	if err != nil {
		return "", "", err
	}
	c2, err := c.code(tty, "Next code (wait until it changes): ", "second")
	if err != nil {
		return "", "", err
	}
	if c1 == c2 {
		return "", "", Failed(errors.New("the two codes are the same: give two consecutive codes (wait for the app to show the next one)"))
	}
	return c1, c2, nil
}

func (c *CodeReader) code(tty bool, prompt, which string) (string, error) {
	if tty {
		fmt.Fprint(c.IO.ErrOut, prompt)
	}
	line, err := readLine(c.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", Failed(fmt.Errorf("reading the %s code: standard input ended (give two codes, one per line)", which))
		}
		return "", Failed(fmt.Errorf("reading the %s code: %w", which, err))
	}
	if !isCode(line) {
		return "", Failed(fmt.Errorf("the %s code is not 6 digits", which))
	}
	return line, nil
}

// readLine reads one line of at most maxLine bytes, without its end.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errors.New("line too long")
	}
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return "", err
	}
	return strings.TrimSpace(string(line)), nil
}

func isCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Device is serial when given, else the user's only MFA device.
func (c *Clients) Device(ctx context.Context, user, serial string) (string, error) {
	if serial != "" {
		return serial, nil
	}
	devs, err := mfadevice.List(ctx, c.IAM, user)
	if err != nil {
		return "", Failed(err)
	}
	switch len(devs) {
	case 0:
		return "", Failed(fmt.Errorf("user %s has no MFA device", user))
	case 1:
		return devs[0].Serial, nil
	}
	serials := make([]string, len(devs))
	for i, d := range devs {
		serials[i] = d.Serial
	}
	return "", cmdutil.UsageError("user %s has %d MFA devices (%s): name one with --serial", user, len(devs), strings.Join(serials, ", "))
}

// Confirm asks question on the terminal (cmdutil.Confirm).
func Confirm(ios *iostreams.IOStreams, question string) error { return cmdutil.Confirm(ios, question) }
