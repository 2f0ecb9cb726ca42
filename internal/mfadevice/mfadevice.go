// Package mfadevice enrolls and manages IAM MFA devices through the IAM
// API: create a virtual device, present its secret (otpauth URI, QR code
// for a terminal or as PNG), enable it with two consecutive codes, resync,
// deactivate and delete.
//
// The device's secret lives only in a Secret value, whose String and
// GoString never show it, so that it cannot reach a log line or an error
// by accident; it leaves the process only through the QR code, the PNG
// and the otpauth file the user asked for.
package mfadevice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsmfa/awsmfa/internal/awserr"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// Issuer is the issuer IAM writes into a virtual device's QR code, so that
// authenticator apps list the device as "Amazon Web Services".
const Issuer = "Amazon Web Services"

// API is the part of the IAM client the package calls (*iam.Client).
type API interface {
	CreateVirtualMFADevice(context.Context, *iam.CreateVirtualMFADeviceInput, ...func(*iam.Options)) (*iam.CreateVirtualMFADeviceOutput, error)
	EnableMFADevice(context.Context, *iam.EnableMFADeviceInput, ...func(*iam.Options)) (*iam.EnableMFADeviceOutput, error)
	ResyncMFADevice(context.Context, *iam.ResyncMFADeviceInput, ...func(*iam.Options)) (*iam.ResyncMFADeviceOutput, error)
	DeactivateMFADevice(context.Context, *iam.DeactivateMFADeviceInput, ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
	DeleteVirtualMFADevice(context.Context, *iam.DeleteVirtualMFADeviceInput, ...func(*iam.Options)) (*iam.DeleteVirtualMFADeviceOutput, error)
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
}

var _ API = (*iam.Client)(nil)

// Secret is a TOTP seed. Its String is "[secret]".
type Secret struct{ b []byte }

func (Secret) String() string   { return "[secret]" }
func (Secret) GoString() string { return "[secret]" }

// Empty reports whether the secret holds no seed.
func (s Secret) Empty() bool { return len(s.b) == 0 }

// Code returns the TOTP code of the secret at t (tests, and checking a
// code the user typed is not from another device).
func (s Secret) Code(t time.Time) string { return totp.Code(s.b, t) }

// Virtual is a virtual MFA device just created, not yet enabled.
type Virtual struct {
	Serial  string
	Name    string
	Account string
	Secret  Secret
}

// URI is the otpauth:// provisioning URI, as IAM encodes it in the QR code
// (issuer "Amazon Web Services", account NAME@ACCOUNT). It holds the
// secret.
func (v *Virtual) URI() string {
	return totp.URI(Issuer, v.Name+"@"+v.Account, v.Secret.b)
}

// Create creates the virtual device name (the IAM user's name is the
// usual choice: self-service policies grant arn:aws:iam::*:mfa/${aws:username}).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html
func Create(ctx context.Context, api API, name string) (*Virtual, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	out, err := api.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		if awserr.Code(err) == "EntityAlreadyExists" {
			return nil, fmt.Errorf("creating the virtual MFA device %q: %w; if an earlier enrollment left it unassigned, "+
				"delete it (aws iam list-virtual-mfa-devices --assignment-status Unassigned; aws iam delete-virtual-mfa-device --serial-number ARN) "+
				"or choose another --device-name", name, err)
		}
		return nil, fmt.Errorf("creating the virtual MFA device %q: %w", name, err)
	}
	d := out.VirtualMFADevice
	if d == nil || d.SerialNumber == nil {
		return nil, fmt.Errorf("creating the virtual MFA device %q: the answer holds no device", name)
	}
	v := &Virtual{Serial: *d.SerialNumber, Name: name}
	v.Account, _ = serialAccount(v.Serial)
	// Base32StringSeed is the base32 text (a blob, base64 on the wire,
	// decoded by the SDK).
	seed, err := totp.DecodeSecret(string(d.Base32StringSeed))
	if err != nil {
		// The error of DecodeSecret names no secret bytes, but say
		// only what is wrong, not the seed.
		return v, fmt.Errorf("virtual MFA device %s: IAM returned an unreadable seed", v.Serial)
	}
	v.Secret = Secret{b: seed}
	return v, nil
}

// CheckName checks a virtual device name as IAM does: 1 to 226
// characters of [\w+=,.@-].
func CheckName(name string) error {
	if name == "" || len(name) > 226 {
		return fmt.Errorf("device name %q: must be 1 to 226 characters", name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c)) {
			return fmt.Errorf("device name %q: %q is not allowed (letters, digits and _+=,.@- only)", name, c)
		}
	}
	return nil
}

// serialAccount is the account of a virtual device's ARN
// (arn:PARTITION:iam::ACCOUNT:mfa/NAME).
func serialAccount(serial string) (string, bool) {
	parts := strings.SplitN(serial, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "mfa/") {
		return "", false
	}
	return parts[4], true
}

// IsVirtual reports whether serial is a virtual device's ARN (hardware
// and FIDO devices have other serials).
func IsVirtual(serial string) bool {
	_, ok := serialAccount(serial)
	return ok
}

// Codes returns two consecutive codes of the device.
type Codes func(ctx context.Context) (code1, code2 string, err error)

// Enable assigns the device to user with two consecutive codes.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html
func Enable(ctx context.Context, api API, user, serial, code1, code2 string) error {
	_, err := api.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2),
	})
	if err != nil {
		return fmt.Errorf("enabling %s for user %s: %w", serial, user, err)
	}
	return nil
}

// EnrollRequest is what Enroll needs.
type EnrollRequest struct {
	User, DeviceName string
	// Present shows the new device's secret to the user (QR code,
	// files); an error stops the enrollment.
	Present func(*Virtual) error
	// Codes reads two consecutive codes.
	Codes Codes
}

// Enroll creates a virtual device, presents it, reads two codes and
// enables it for the user. When anything after the creation fails, the
// unassigned device is deleted so that a retry can reuse its name; the
// error says if that failed too.
func Enroll(ctx context.Context, api API, req EnrollRequest) (*Virtual, error) {
	v, err := Create(ctx, api, req.DeviceName)
	if err != nil {
		if v != nil {
			return nil, errors.Join(err, cleanup(ctx, api, v.Serial))
		}
		return nil, err
	}
	if err := enroll(ctx, api, req, v); err != nil {
		return nil, errors.Join(err, cleanup(ctx, api, v.Serial))
	}
	return v, nil
}

func enroll(ctx context.Context, api API, req EnrollRequest, v *Virtual) error {
	if req.Present != nil {
		if err := req.Present(v); err != nil {
			return err
		}
	}
	c1, c2, err := req.Codes(ctx)
	if err != nil {
		return err
	}
	return Enable(ctx, api, req.User, v.Serial, c1, c2)
}

// cleanupTimeout bounds the deletion of a device left unassigned.
const cleanupTimeout = 15 * time.Second

// cleanup deletes an unassigned virtual device, even when ctx is done (an
// interrupted enrollment), within cleanupTimeout.
func cleanup(ctx context.Context, api API, serial string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := Delete(ctx, api, serial); err != nil {
		return fmt.Errorf("the unassigned device %s was left behind (%w); delete it with: aws iam delete-virtual-mfa-device --serial-number %s", serial, err, serial)
	}
	return nil
}

// Delete deletes a virtual device that is not assigned.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html
func Delete(ctx context.Context, api API, serial string) error {
	_, err := api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	if err != nil {
		return fmt.Errorf("deleting %s: %w", serial, err)
	}
	return nil
}

// Resync resynchronizes a drifted device with two consecutive codes.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResyncMFADevice.html
func Resync(ctx context.Context, api API, user, serial, code1, code2 string) error {
	_, err := api.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{
		UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2),
	})
	if err != nil {
		return fmt.Errorf("resynchronizing %s for user %s: %w", serial, user, err)
	}
	return nil
}

// Remove deactivates the device for user and, for a virtual device,
// deletes it. A device already deactivated (NoSuchEntity on deactivation)
// is still deleted, so that an interrupted remove can be run again.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeactivateMFADevice.html
func Remove(ctx context.Context, api API, user, serial string) error {
	_, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial)})
	if err != nil && !(IsVirtual(serial) && awserr.Code(err) == "NoSuchEntity") {
		return fmt.Errorf("deactivating %s for user %s: %w", serial, user, err)
	}
	if !IsVirtual(serial) {
		return nil
	}
	return Delete(ctx, api, serial)
}

// Device is an MFA device assigned to a user.
type Device struct {
	User, Serial string
	Enabled      time.Time
}

// List returns the devices assigned to user ("" for the caller).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListMFADevices.html
func List(ctx context.Context, api API, user string) ([]Device, error) {
	in := &iam.ListMFADevicesInput{}
	if user != "" {
		in.UserName = aws.String(user)
	}
	var out []Device
	p := iam.NewListMFADevicesPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the MFA devices of %s: %w", userLabel(user), err)
		}
		for _, d := range page.MFADevices {
			out = append(out, Device{User: aws.ToString(d.UserName), Serial: aws.ToString(d.SerialNumber), Enabled: aws.ToTime(d.EnableDate)})
		}
	}
	return out, nil
}

func userLabel(user string) string {
	if user == "" {
		return "the caller"
	}
	return "user " + user
}

// UserFromARN returns the IAM user name of a caller ARN
// (arn:PARTITION:iam::ACCOUNT:user/PATH/NAME), or an error naming what the
// caller is instead (a role session has no MFA devices of its own).
func UserFromARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", fmt.Errorf("%q is not an ARN", arn)
	}
	res := parts[5]
	if parts[2] != "iam" || !strings.HasPrefix(res, "user/") {
		return "", fmt.Errorf("the caller %s is not an IAM user; name the user with --user", arn)
	}
	name := res[strings.LastIndexByte(res, '/')+1:]
	if name == "" {
		return "", fmt.Errorf("the caller ARN %q has no user name", arn)
	}
	return name, nil
}
