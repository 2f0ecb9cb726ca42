package lab

import (
	"encoding/base64"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// MFAIssuer is the issuer IAM writes in a virtual device's otpauth URI.
const MFAIssuer = "Amazon Web Services"

// MFAURI returns the otpauth:// URI of a virtual MFA device, as encoded in
// its QR code: issuer "Amazon Web Services", account NAME@ACCOUNT.
func MFAURI(d *store.MFADevice, account string) string {
	return totp.URI(MFAIssuer, d.Name+"@"+account, d.Seed)
}

// MFAQRCodePNG renders the device's otpauth URI as a PNG QR code.
func MFAQRCodePNG(d *store.MFADevice, account string) ([]byte, error) {
	return qrcode.Encode(MFAURI(d, account), qrcode.Medium, 256)
}

type virtualMFADeviceXML struct {
	SerialNumber     string
	Base32StringSeed string       `xml:",omitempty"`
	QRCodePNG        string       `xml:",omitempty"`
	User             *userXML     `xml:",omitempty"`
	EnableDate       string       `xml:",omitempty"`
	Tags             list[tagXML] `xml:",omitempty"`
}

type createVirtualMFADeviceResult struct {
	VirtualMFADevice virtualMFADeviceXML
}

func (s *Server) createVirtualMFADevice(rq *request) (any, error) {
	d, err := s.st.CreateVirtualMFADevice(rq.params.get("VirtualMFADeviceName"), rq.params.get("Path"), rq.tags...)
	if err != nil {
		return nil, err
	}
	png, err := MFAQRCodePNG(&d, s.st.AccountID())
	if err != nil {
		return nil, err
	}
	// Base32StringSeed and QRCodePNG are blobs: base64 on the wire. The
	// seed blob holds the base32 text
	// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html).
	return createVirtualMFADeviceResult{VirtualMFADevice: virtualMFADeviceXML{
		SerialNumber:     d.Serial,
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(d.Base32Seed())),
		QRCodePNG:        base64.StdEncoding.EncodeToString(png),
		Tags:             tagsXML(rq.tags),
	}}, nil
}

// mfaDevice reads UserName (default: the calling user, as
// mfaDeviceUserResource checked) and SerialNumber.
func (s *Server) mfaDevice(rq *request) (user, serial string, err error) {
	user, _, err = s.targetUser(rq)
	return user, rq.params.get("SerialNumber"), err
}

func (s *Server) enableMFADevice(rq *request) (any, error) {
	user, serial, err := s.mfaDevice(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.EnableMFADevice(user, serial, rq.params.get("AuthenticationCode1"), rq.params.get("AuthenticationCode2"))
}

func (s *Server) resyncMFADevice(rq *request) (any, error) {
	user, serial, err := s.mfaDevice(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.ResyncMFADevice(user, serial, rq.params.get("AuthenticationCode1"), rq.params.get("AuthenticationCode2"))
}

func (s *Server) deactivateMFADevice(rq *request) (any, error) {
	user, serial, err := s.mfaDevice(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.DeactivateMFADevice(user, serial)
}

type mfaDeviceXML struct {
	UserName     string
	SerialNumber string
	EnableDate   string
}

type listMFADevicesResult struct {
	MFADevices list[mfaDeviceXML]
	pageInfo
}

func (s *Server) listMFADevices(rq *request) (any, error) {
	user, root, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	var devs []store.MFADevice
	if !root {
		if devs, err = s.st.ListMFADevices(user); err != nil {
			return nil, err
		}
	}
	start, end, info, err := paginate(rq.params, len(devs), func(i int) string { return devs[i].Serial })
	if err != nil {
		return nil, err
	}
	out := listMFADevicesResult{MFADevices: list[mfaDeviceXML]{}, pageInfo: info}
	for _, d := range devs[start:end] {
		out.MFADevices = append(out.MFADevices, mfaDeviceXML{UserName: d.UserName, SerialNumber: d.Serial, EnableDate: isoTime(d.EnableDate)})
	}
	return out, nil
}

type listVirtualMFADevicesResult struct {
	VirtualMFADevices list[virtualMFADeviceXML]
	pageInfo
}

// assignmentStatusParam validates ListVirtualMFADevices' AssignmentStatus.
func assignmentStatusParam(rq *request) error {
	switch status := rq.params.get("AssignmentStatus"); status {
	case "", store.AssignmentAny, store.AssignmentAssigned, store.AssignmentUnassigned:
		return nil
	default:
		return constraintError(status, "assignmentStatus", "must satisfy enum value set: [Any, Unassigned, Assigned]")
	}
}

func (s *Server) listVirtualMFADevices(rq *request) (any, error) {
	devs, err := s.st.ListVirtualMFADevices(rq.params.get("AssignmentStatus"))
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(devs), func(i int) string { return devs[i].Serial })
	if err != nil {
		return nil, err
	}
	out := listVirtualMFADevicesResult{VirtualMFADevices: list[virtualMFADeviceXML]{}, pageInfo: info}
	for _, d := range devs[start:end] {
		x := virtualMFADeviceXML{SerialNumber: d.Serial}
		if d.Assigned() {
			if u, err := s.st.GetUserByID(d.UserID); err == nil {
				ux := toUserXML(u)
				x.User = &ux
			}
			x.EnableDate = isoTime(d.EnableDate)
		}
		out.VirtualMFADevices = append(out.VirtualMFADevices, x)
	}
	return out, nil
}
