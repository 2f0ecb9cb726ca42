// Package dbusguard keeps github.com/99designs/keyring from starting a
// D-Bus daemon in every awsmfa process.
//
// On Linux and the BSDs, keyring's package initialization (its Secret
// Service and KWallet backends) calls godbus's SessionBus, which, when no
// session bus is known ($DBUS_SESSION_BUS_ADDRESS unset and no
// /run/user/UID/bus), runs `dbus-launch` — starting a new dbus-daemon that
// outlives the process — twice per process start (measured with a fake
// dbus-launch on PATH). There is no session bus to find in that case, so
// no Secret Service either.
//
// This package's init runs before keyring's (the Go specification orders
// package initialization by import path among packages whose imports are
// initialized: "github.com/awsmfa/..." sorts before "github.com/godbus/dbus",
// which keyring needs first, and this package imports only os), and in
// that case sets $DBUS_SESSION_BUS_ADDRESS to an address with an unknown
// transport, so SessionBus fails at once. credcache's init, which runs
// after keyring's, calls Restore to put the environment back.
package dbusguard

import (
	"os"
	"runtime"
	"strconv"
)

const envName = "DBUS_SESSION_BUS_ADDRESS"

// Address is the unusable bus address set while keyring initializes.
const Address = "awsmfa-no-session-bus:"

// Engaged reports whether init set the guard address.
var Engaged bool

var previous string
var hadPrevious bool

func init() {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return
	}
	v, ok := os.LookupEnv(envName)
	if v != "" && v != "autolaunch:" {
		return // a bus address is known: keyring may use it
	}
	dir := "/run/user/" + strconv.Itoa(os.Getuid())
	for _, f := range []string{dir + "/bus", dir + "/dbus-session"} {
		if _, err := os.Stat(f); err == nil {
			return // godbus will find the running session bus
		}
	}
	previous, hadPrevious = v, ok
	if os.Setenv(envName, Address) == nil {
		Engaged = true
	}
}

// Restore undoes init's change of the environment.
func Restore() {
	if !Engaged {
		return
	}
	Engaged = false
	if os.Getenv(envName) != Address {
		return
	}
	if hadPrevious {
		os.Setenv(envName, previous)
	} else {
		os.Unsetenv(envName)
	}
}
