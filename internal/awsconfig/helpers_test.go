package awsconfig

import (
	"errors"
	"io/fs"
)

func asError(err error, target **Error) bool { return errors.As(err, target) }

var errPermission = &fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}
