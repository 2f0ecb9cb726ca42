package credcache

import "github.com/awsmfa/awsmfa/internal/credcache/internal/dbusguard"

// init runs after github.com/99designs/keyring's (this package imports
// it): the D-Bus guard has done its job, put the environment back.
func init() { dbusguard.Restore() }
