package eval

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// parseNumber parses a Numeric condition value: an integer or a decimal
// ("comparing a key to an integer or decimal value",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric).
// Surrounding spaces, hexadecimal, Inf and NaN are rejected.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// parseDate parses a Date condition value: "one of the W3C implementations of
// the ISO 8601 date formats or in epoch (UNIX) time"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date,
// http://www.w3.org/TR/NOTE-datetime):
//
//	YYYY, YYYY-MM, YYYY-MM-DD,
//	YYYY-MM-DDThh:mmTZD, YYYY-MM-DDThh:mm:ssTZD, YYYY-MM-DDThh:mm:ss.sTZD
//
// with TZD "Z", "+hh:mm" or "-hh:mm" ("+hhmm" is accepted too; a missing TZD
// means UTC), or an integer number of seconds since 1970-01-01T00:00:00Z.
// It does not allocate.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	allDigits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			if !(i == 0 && s[i] == '-' && len(s) > 1) {
				allDigits = false
				break
			}
		}
	}
	if allDigits && len(s) != 4 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	num := func(s string) (int, bool) {
		n := 0
		if s == "" {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	if len(s) < 4 {
		return time.Time{}, false
	}
	year, ok := num(s[:4])
	if !ok {
		return time.Time{}, false
	}
	month, day := 1, 1
	rest := s[4:]
	if rest != "" {
		if len(rest) < 3 || rest[0] != '-' {
			return time.Time{}, false
		}
		if month, ok = num(rest[1:3]); !ok || month < 1 || month > 12 {
			return time.Time{}, false
		}
		rest = rest[3:]
		if rest != "" {
			if len(rest) < 3 || rest[0] != '-' {
				return time.Time{}, false
			}
			if day, ok = num(rest[1:3]); !ok || day < 1 || day > daysIn(month, year) {
				return time.Time{}, false
			}
			rest = rest[3:]
		}
	}
	if rest == "" {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
	}
	if rest[0] != 'T' && rest[0] != 't' || len(rest) < 6 || rest[3] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := num(rest[1:3])
	minute, ok2 := num(rest[4:6])
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return time.Time{}, false
	}
	rest = rest[6:]
	sec, nsec := 0, 0
	if rest != "" && rest[0] == ':' {
		if len(rest) < 3 {
			return time.Time{}, false
		}
		if sec, ok = num(rest[1:3]); !ok || sec > 60 {
			return time.Time{}, false
		}
		rest = rest[3:]
		if rest != "" && rest[0] == '.' {
			j := 1
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if j == 1 {
				return time.Time{}, false
			}
			frac := rest[1:j]
			scale := 100000000
			for k := 0; k < len(frac) && k < 9; k++ {
				nsec += int(frac[k]-'0') * scale
				scale /= 10
			}
			rest = rest[j:]
		}
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case rest[0] == '+' || rest[0] == '-':
		tz := rest[1:]
		var hh, mm int
		switch {
		case len(tz) == 5 && tz[2] == ':':
			hh, ok1 = num(tz[:2])
			mm, ok2 = num(tz[3:])
		case len(tz) == 4:
			hh, ok1 = num(tz[:2])
			mm, ok2 = num(tz[2:])
		case len(tz) == 2:
			hh, ok1 = num(tz)
			ok2 = true
		default:
			return time.Time{}, false
		}
		if !ok1 || !ok2 || hh > 23 || mm > 59 {
			return time.Time{}, false
		}
		offset = hh*3600 + mm*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parsePrefix parses an IpAddress condition value: CIDR notation, or an
// address alone, which "IAM uses the default prefix value of /32" for (and
// /128 for IPv6)
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress).
// IPv4-mapped IPv6 values are unmapped.
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		a := p.Addr()
		bits := p.Bits()
		if a.Is4In6() {
			a = a.Unmap()
			bits -= 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
		}
		return netip.PrefixFrom(a.WithZone(""), bits).Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), true
}

// prefixContains reports whether the request value q (an address, or a
// range) lies inside p.
func prefixContains(p, q netip.Prefix) bool {
	if p.Addr().Is4() != q.Addr().Is4() {
		return false
	}
	return q.Bits() >= p.Bits() && p.Contains(q.Addr())
}

// decodeBinary decodes a base-64 BinaryEquals value ("a base-64 encoded
// representation of the binary value in the policy",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals).
// Padding is optional.
func decodeBinary(s string) ([]byte, bool) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

// binaryEqual compares a request value, decoded as base 64 when it is valid
// base 64 and taken as raw bytes otherwise, with a decoded policy value.
func binaryEqual(request string, policyBytes []byte) bool {
	var buf [512]byte
	enc := base64.StdEncoding
	if len(request)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	if enc.DecodedLen(len(request)) <= len(buf) {
		n, err := enc.Decode(buf[:], []byte(request))
		if err == nil {
			return string(buf[:n]) == string(policyBytes)
		}
	} else if b, err := enc.DecodeString(request); err == nil {
		return string(b) == string(policyBytes)
	}
	return request == string(policyBytes)
}

// parseBool parses a Bool value case-insensitively.
func parseBool(s string) (value, ok bool) {
	switch {
	case equalFold(s, "true"):
		return true, true
	case equalFold(s, "false"):
		return false, true
	}
	return false, false
}
