// Command awsmfa makes multi-factor authentication work for the AWS CLI.
package main

import (
	"os"

	"github.com/awsmfa/awsmfa/internal/cmd/root"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func main() {
	os.Exit(root.Main(iostreams.System(), os.Args[1:]))
}
