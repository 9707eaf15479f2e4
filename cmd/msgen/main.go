// Command msgen turns an architecture spec written in CUE into a runnable
// multi-service repository.
package main

import "os"

func main() {
	os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
