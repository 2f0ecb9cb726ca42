package mfa

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// CodeLength is the length of an AWS MFA code (TOTP, 6 digits).
const CodeLength = 6

// ValidateCode checks that code, once leading and trailing white space is
// trimmed, is exactly 6 ASCII digits. The error says what is wrong without
// repeating the input (it may be a secret typed in the wrong place).
func ValidateCode(code string) error {
	_, err := normalize(code)
	return err
}

// normalize returns the trimmed code or ValidateCode's error.
func normalize(code string) (string, error) {
	c := strings.TrimSpace(code)
	if c == "" {
		return "", errors.New("MFA code is empty: it must be 6 digits")
	}
	digits := true
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			digits = false
			break
		}
	}
	n := utf8.RuneCountInString(c)
	if !digits {
		if n == CodeLength+1 && strings.Count(c, " ") == 1 {
			return "", errors.New("MFA code must be 6 digits, got a space inside: type the digits without spaces")
		}
		return "", fmt.Errorf("MFA code must be 6 digits, got %d %s, not all of them digits", n, plural(n, "character", "characters"))
	}
	if n != CodeLength {
		return "", fmt.Errorf("MFA code must be 6 digits, got %d", n)
	}
	return c, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
