package awsconfig

import "strings"

// Hand-written matchers for the value shapes resolution checks on every
// run (see validate.go for why they are not regular expressions). Each
// names the expression it is equivalent to; match_test.go checks that
// equivalence on a table and by fuzzing.

// isIAMARN reports whether s is arn:PARTITION:iam::ACCOUNT:KIND/PATH/NAME
// with an optional path and a 1..maxName character name, that is
//
//	^arn:aws(?:-[a-z]+)*:iam::(\d{12}):KIND/((?:[!-.0-~]+/)*)([\w+=,.@-]{1,maxName})$
func isIAMARN(s, kind string, maxName int) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	part, rest, ok := strings.Cut(rest, ":")
	if !ok || !isPartition(part) {
		return false
	}
	if rest, ok = strings.CutPrefix(rest, "iam::"); !ok {
		return false
	}
	if len(rest) < 13 || !allDigits(rest[:12]) || rest[12] != ':' {
		return false
	}
	rest = rest[13:]
	if !strings.HasPrefix(rest, kind) || len(rest) == len(kind) || rest[len(kind)] != '/' {
		return false
	}
	rest = rest[len(kind)+1:]
	cut := strings.LastIndexByte(rest, '/') + 1
	path, name := rest[:cut], rest[cut:]
	for path != "" {
		seg, tail, _ := strings.Cut(path, "/")
		if seg == "" || !allIn(seg, isPathByte) {
			return false
		}
		path = tail
	}
	return len(name) >= 1 && len(name) <= maxName && allIn(name, isNameByte)
}

// isPartition matches aws(?:-[a-z]+)*.
func isPartition(s string) bool {
	rest, ok := strings.CutPrefix(s, "aws")
	if !ok {
		return false
	}
	for rest != "" {
		if rest[0] != '-' {
			return false
		}
		rest = rest[1:]
		n := 0
		for n < len(rest) && rest[n] >= 'a' && rest[n] <= 'z' {
			n++
		}
		if n == 0 {
			return false
		}
		rest = rest[n:]
	}
	return true
}

// isSerialNumber matches STS serialNumberType, ^[\w+=/:,.@-]{9,256}$.
func isSerialNumber(s string) bool {
	return len(s) >= 9 && len(s) <= 256 && allIn(s, func(c byte) bool { return isNameByte(c) || c == '/' || c == ':' })
}

// isSessionName matches STS roleSessionNameType, ^[\w+=,.@-]{2,64}$.
func isSessionName(s string) bool {
	return len(s) >= 2 && len(s) <= 64 && allIn(s, isNameByte)
}

// isExternalID matches STS externalIdType: 2..1224 of [\w+=,.@:/-].
func isExternalID(s string) bool {
	return len(s) >= 2 && len(s) <= 1224 && allIn(s, func(c byte) bool { return isNameByte(c) || c == '/' || c == ':' })
}

// isRegionName matches ^[a-z0-9]+(?:-[a-z0-9]+)*$ (us-east-1, and test
// names such as "fake-region-10" used by the lab).
func isRegionName(s string) bool {
	for {
		part, rest, more := strings.Cut(s, "-")
		if part == "" || !allIn(part, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

// isNameByte is [\w+=,.@-], the characters of IAM names and session names.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-'
}

// isPathByte is [!-.0-~], the characters of an IAM path segment.
func isPathByte(c byte) bool {
	return c >= '!' && c <= '.' || c >= '0' && c <= '~'
}

func allDigits(s string) bool {
	return allIn(s, func(c byte) bool { return c >= '0' && c <= '9' })
}

func allIn(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
