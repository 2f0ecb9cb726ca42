package mfadevice

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/awsmfa/awsmfa/internal/totp"
)

func TestUserFromARN(t *testing.T) {
	for _, tc := range []struct{ arn, user, err string }{
		{"arn:aws:iam::123456789012:user/alice", "alice", ""},
		{"arn:aws:iam::123456789012:user/division/team/bob", "bob", ""},
		{"arn:aws-cn:iam::123456789012:user/carol", "carol", ""},
		{"arn:aws:sts::123456789012:assumed-role/cli-role/alice", "", "not an IAM user; name the user with --user"},
		{"arn:aws:iam::123456789012:root", "", "not an IAM user"},
		{"arn:aws:iam::123456789012:user/", "", "has no user name"},
		{"alice", "", "is not an ARN"},
	} {
		got, err := UserFromARN(tc.arn)
		if got != tc.user || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("UserFromARN(%q) = %q, %v; want %q, %q", tc.arn, got, err, tc.user, tc.err)
		}
	}
}

func FuzzUserFromARN(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:user/a/b", "arn:aws:sts::1:assumed-role/r/s", "", ":::::", "arn:aws:iam::1:user/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		name, err := UserFromARN(arn)
		if err == nil && (name == "" || strings.Contains(name, "/") || !strings.HasSuffix(arn, "/"+name)) {
			t.Fatalf("UserFromARN(%q) = %q", arn, name)
		}
	})
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"alice", true}, {"a.b+c=d,e@f_g-h", true}, {strings.Repeat("x", 226), true},
		{"", false}, {strings.Repeat("x", 227), false}, {"a b", false}, {"a/b", false}, {"é", false},
	} {
		if err := CheckName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestIsVirtual(t *testing.T) {
	for serial, want := range map[string]bool{
		"arn:aws:iam::123456789012:mfa/alice": true, "GAHT12345678": false, "arn:aws:iam::123456789012:u2f/user/alice/key": false,
	} {
		if IsVirtual(serial) != want {
			t.Errorf("IsVirtual(%q) != %v", serial, want)
		}
	}
}

// TestHalfBlocks: each character stands for two modules, light ones
// drawn; an odd last row pairs with a light row.
func TestHalfBlocks(t *testing.T) {
	bm := [][]bool{
		{false, true, false, true},
		{false, false, true, true},
		{true, false, false, true},
	}
	want := "█▄▀ \n▄██▄\n"
	if got := halfBlocks(bm); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestTerminalRoundTrip: the drawing read back is the QR code's bitmap.
func TestTerminalRoundTrip(t *testing.T) {
	text := totp.URI(Issuer, "alice@123456789012", []byte("0123456789abcdefghij"))
	s, err := Terminal(text)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := qrcode.New(text, qrLevel)
	bm := q.Bitmap()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) != (len(bm)+1)/2 {
		t.Fatalf("%d lines for %d rows", len(lines), len(bm))
	}
	for i, line := range lines {
		for x, r := range []rune(line) {
			top, bottom := r == '█' || r == '▀', r == '█' || r == '▄'
			if top != !bm[2*i][x] || (2*i+1 < len(bm) && bottom != !bm[2*i+1][x]) {
				t.Fatalf("line %d column %d: %q does not match the bitmap", i, x, r)
			}
		}
	}
}

func TestWriteSecretFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "otpauth.txt")
	if err := WriteSecretFile(p, []byte("otpauth://x")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if err := WriteSecretFile(p, []byte("other")); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("overwrite: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "otpauth://x" {
		t.Errorf("content %q", b)
	}
	if err := WriteSecretFile(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("no error in a missing folder")
	}
}

func TestPNG(t *testing.T) {
	b, err := PNG("otpauth://totp/x?secret=AAAA")
	if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
}

// fakeIAM records calls; its seed is the device's secret.
type fakeIAM struct {
	API
	seed       string
	enableErr  error
	deleteErr  error
	deleted    []string
	enabled    []string
	deactivErr error
	createErr  error
}

func (f *fakeIAM) CreateVirtualMFADevice(_ context.Context, in *iam.CreateVirtualMFADeviceInput, _ ...func(*iam.Options)) (*iam.CreateVirtualMFADeviceOutput, error) {
	if f.createErr != nil {
		return nil, f.createErr
	}
	return &iam.CreateVirtualMFADeviceOutput{VirtualMFADevice: &types.VirtualMFADevice{
		SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/" + *in.VirtualMFADeviceName), Base32StringSeed: []byte(f.seed)}}, nil
}

func (f *fakeIAM) EnableMFADevice(_ context.Context, in *iam.EnableMFADeviceInput, _ ...func(*iam.Options)) (*iam.EnableMFADeviceOutput, error) {
	f.enabled = append(f.enabled, *in.UserName+" "+*in.SerialNumber+" "+*in.AuthenticationCode1+" "+*in.AuthenticationCode2)
	return &iam.EnableMFADeviceOutput{}, f.enableErr
}

func (f *fakeIAM) DeleteVirtualMFADevice(_ context.Context, in *iam.DeleteVirtualMFADeviceInput, _ ...func(*iam.Options)) (*iam.DeleteVirtualMFADeviceOutput, error) {
	f.deleted = append(f.deleted, *in.SerialNumber)
	return &iam.DeleteVirtualMFADeviceOutput{}, f.deleteErr
}

func (f *fakeIAM) DeactivateMFADevice(context.Context, *iam.DeactivateMFADeviceInput, ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error) {
	return &iam.DeactivateMFADeviceOutput{}, f.deactivErr
}

const testSeed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func TestEnroll(t *testing.T) {
	boom := errors.New("boom")
	codes := func(context.Context) (string, string, error) { return "111111", "222222", nil }
	for _, tc := range []struct {
		name                string
		enableErr, delErr   error
		codes               Codes
		present             error
		wantErr             []string
		wantDeleted, wantOK bool
	}{
		{name: "ok", codes: codes, wantOK: true},
		{name: "enable fails", enableErr: boom, codes: codes, wantErr: []string{"enabling arn:aws:iam::123456789012:mfa/alice for user alice: boom"}, wantDeleted: true},
		{name: "codes fail", codes: func(context.Context) (string, string, error) { return "", "", boom }, wantErr: []string{"boom"}, wantDeleted: true},
		{name: "present fails", present: boom, codes: codes, wantErr: []string{"boom"}, wantDeleted: true},
		{name: "cleanup fails", enableErr: boom, delErr: errors.New("denied"), codes: codes,
			wantErr: []string{"boom", "unassigned device arn:aws:iam::123456789012:mfa/alice was left behind", "denied", "delete-virtual-mfa-device"}, wantDeleted: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeIAM{seed: testSeed, enableErr: tc.enableErr, deleteErr: tc.delErr}
			var shown *Virtual
			v, err := Enroll(context.Background(), f, EnrollRequest{User: "alice", DeviceName: "alice", Codes: tc.codes,
				Present: func(v *Virtual) error { shown = v; return tc.present }})
			if tc.wantOK != (err == nil) {
				t.Fatalf("err %v", err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if (len(f.deleted) > 0) != tc.wantDeleted {
				t.Errorf("deleted %v", f.deleted)
			}
			if shown == nil || shown.Secret.Empty() || shown.Account != "123456789012" {
				t.Fatalf("presented %+v", shown)
			}
			if uri := shown.URI(); !strings.Contains(uri, "secret="+testSeed) || !strings.HasPrefix(uri, "otpauth://totp/Amazon%20Web%20Services:alice%40123456789012?") {
				t.Errorf("URI %q", uri)
			}
			text := fmt.Sprintf("%v %+v %#v", v, shown, shown)
			if err != nil {
				text += err.Error()
			}
			if strings.Contains(text, testSeed) || strings.Contains(text, "JBSWY3DP") {
				t.Errorf("the secret is printed: %s", text)
			}
			if tc.wantOK && (len(f.enabled) != 1 || f.enabled[0] != "alice arn:aws:iam::123456789012:mfa/alice 111111 222222") {
				t.Errorf("enabled %v", f.enabled)
			}
		})
	}
}

func TestCreateBadSeed(t *testing.T) {
	f := &fakeIAM{seed: "not base32!"}
	_, err := Enroll(context.Background(), f, EnrollRequest{User: "alice", DeviceName: "alice"})
	if err == nil || !strings.Contains(err.Error(), "unreadable seed") || strings.Contains(err.Error(), "not base32") || len(f.deleted) != 1 {
		t.Errorf("err %v, deleted %v", err, f.deleted)
	}
}

func TestSecretCode(t *testing.T) {
	seed, _ := totp.DecodeSecret(testSeed)
	now := time.Unix(1_700_000_000, 0)
	if got := (Secret{b: seed}).Code(now); got != totp.Code(seed, now) {
		t.Errorf("code %q", got)
	}
}

type apiError struct{ code string }

func (e apiError) Error() string                 { return e.code }
func (e apiError) ErrorCode() string             { return e.code }
func (e apiError) ErrorMessage() string          { return e.code }
func (e apiError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// TestRemove: a virtual device is deactivated then deleted, also when it
// was already deactivated (NoSuchEntity: an interrupted remove run
// again); a hardware device is only deactivated; other errors stop.
func TestRemove(t *testing.T) {
	virtual, hardware := "arn:aws:iam::123456789012:mfa/alice", "GAHT12345678"
	for _, tc := range []struct {
		serial      string
		deactivErr  error
		wantDeleted bool
		err         string
	}{
		{serial: virtual, wantDeleted: true},
		{serial: virtual, deactivErr: apiError{"NoSuchEntity"}, wantDeleted: true},
		{serial: virtual, deactivErr: apiError{"AccessDenied"}, err: "deactivating " + virtual + " for user alice: AccessDenied"},
		{serial: hardware},
		{serial: hardware, deactivErr: apiError{"NoSuchEntity"}, err: "NoSuchEntity"},
	} {
		f := &fakeIAM{deactivErr: tc.deactivErr}
		err := Remove(context.Background(), f, "alice", tc.serial)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s %v: err %v", tc.serial, tc.deactivErr, err)
		}
		if (len(f.deleted) == 1) != tc.wantDeleted {
			t.Errorf("%s %v: deleted %v", tc.serial, tc.deactivErr, f.deleted)
		}
	}
}

// TestCreateExists: a name taken by a device an earlier attempt left
// behind gets a hint; nothing is deleted (the device may be someone's).
func TestCreateExists(t *testing.T) {
	f := &fakeIAM{createErr: apiError{"EntityAlreadyExists"}}
	_, err := Enroll(context.Background(), f, EnrollRequest{User: "alice", DeviceName: "alice"})
	if err == nil || !strings.Contains(err.Error(), "delete-virtual-mfa-device") || !strings.Contains(err.Error(), "--device-name") || len(f.deleted) != 0 {
		t.Errorf("err %v, deleted %v", err, f.deleted)
	}
}
