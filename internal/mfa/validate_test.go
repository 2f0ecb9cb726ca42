package mfa

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidateCode(t *testing.T) {
	tests := []struct {
		code    string
		wantErr string // "" = valid
	}{
		{"123456", ""},
		{"000000", ""},
		{" 123456\n", ""},
		{"\t654321\r\n", ""},
		{"", "MFA code is empty"},
		{"   \n", "MFA code is empty"},
		{"12345", "MFA code must be 6 digits, got 5"},
		{"1234567", "MFA code must be 6 digits, got 7"},
		{"1", "MFA code must be 6 digits, got 1"},
		{"12345a", "got 6 characters, not all of them digits"},
		{"abcdef", "got 6 characters, not all of them digits"},
		{"123 456", "got a space inside"},
		{"12 34 56", "got 8 characters, not all of them digits"},
		{"١٢٣٤٥٦", "got 6 characters, not all of them digits"}, // Arabic-Indic digits are not ASCII
		{"１２３４５６", "got 6 characters"},                         // full-width digits
		{"12345\x00", "not all of them digits"},
		{"-12345", "not all of them digits"},
		{"+123456", "got 7 characters"},
		{"x", "got 1 character, not all"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := ValidateCode(tt.code)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateCode(%q) = %v", tt.code, err)
				}
				if got, _ := normalize(tt.code); got != strings.TrimSpace(tt.code) {
					t.Errorf("normalize = %q", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ValidateCode(%q) = %v, want %q", tt.code, err, tt.wantErr)
			}
		})
	}
}

// validateMessage matches every message ValidateCode can give: none
// repeats the input.
var validateMessage = regexp.MustCompile(`^MFA code (is empty: it must be 6 digits|must be 6 digits, got \d+|must be 6 digits, got \d+ characters?, not all of them digits|must be 6 digits, got a space inside: type the digits without spaces)$`)

func FuzzValidateCode(f *testing.F) {
	for _, s := range []string{"123456", " 123456 ", "12345", "abcdef", "123 456", "", "１２３４５６", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCode(s)
		trimmed := strings.TrimSpace(s)
		valid := len(trimmed) == 6
		for i := 0; i < len(trimmed); i++ {
			if trimmed[i] < '0' || trimmed[i] > '9' {
				valid = false
			}
		}
		if valid != (err == nil) {
			t.Fatalf("ValidateCode(%q) = %v, valid = %v", s, err, valid)
		}
		if err != nil && !validateMessage.MatchString(err.Error()) {
			t.Fatalf("unexpected message %q", err)
		}
		if err == nil {
			if c, _ := normalize(s); c != trimmed {
				t.Fatalf("normalize(%q) = %q", s, c)
			}
		}
	})
}
