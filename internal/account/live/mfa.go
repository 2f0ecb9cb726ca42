package live

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsmfa/awsmfa/internal/account"
)

// readMFA lists every user's MFA devices (iam:ListMFADevices), at most
// Options.Concurrency users at a time. When the caller may not list them,
// every user's devices stay unknown (MFAKnown false) with a note: the
// credential report's mfa_active then says whether a user has one.
func (r *reader) readMFA(ctx context.Context, a *account.Account) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]account.MFADevice, len(a.Users))
	sem := make(chan struct{}, r.opts.Concurrency)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	fail := func(err error) {
		once.Do(func() {
			firstErr = err
			cancel()
		})
	}
launch:
	for i, u := range a.Users {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			defer func() { <-sem }()
			devs, err := r.listMFADevices(ctx, name)
			if err != nil {
				fail(fmt.Errorf("ListMFADevices %s: %w", name, err))
				return
			}
			results[i] = devs
			r.advance(PhaseMFA, func(p *Progress) { p.UsersMFA++ })
		}(i, u.Name)
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		if accessDenied(firstErr) {
			r.notes = append(r.notes, "not read: the users' MFA devices (iam:ListMFADevices): access denied; the credential report's mfa_active says who has one")
			return nil
		}
		return fmt.Errorf("reading the users' MFA devices: %w", firstErr)
	}
	for i, u := range a.Users {
		u.MFADevices, u.MFAKnown = results[i], true
	}
	return nil
}

// listMFADevices returns one user's devices.
func (r *reader) listMFADevices(ctx context.Context, user string) ([]account.MFADevice, error) {
	var out []account.MFADevice
	p := iam.NewListMFADevicesPaginator(r.iam, &iam.ListMFADevicesInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range page.MFADevices {
			serial := aws.ToString(d.SerialNumber)
			out = append(out, account.MFADevice{Serial: serial, Type: mfaType(serial), EnableDate: aws.ToTime(d.EnableDate)})
		}
	}
	if out == nil {
		out = []account.MFADevice{}
	}
	return out, nil
}

// mfaType tells a device's kind from its serial number: a virtual device's
// serial is its ARN, arn:PARTITION:iam::ACCOUNT:mfa/NAME; a FIDO security
// key's is arn:PARTITION:iam::ACCOUNT:u2f/user/NAME/KEY; a hardware TOTP
// token's is the token's own serial (GAHT12345678), not an ARN
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_MFADevice.html).
func mfaType(serial string) account.MFAType {
	if !strings.HasPrefix(serial, "arn:") {
		if serial == "" {
			return account.MFAUnknown
		}
		return account.MFAHardware
	}
	switch resource := arnField(serial, 5); {
	case strings.HasPrefix(resource, "mfa/"):
		return account.MFAVirtual
	case strings.HasPrefix(resource, "u2f/"):
		return account.MFAFIDO
	}
	return account.MFAUnknown
}
