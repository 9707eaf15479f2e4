package main

import (
	"github.com/spf13/cobra"
)

func newDiffCmd(io *streams) *cobra.Command {
	opts := &checkOptions{io: io}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what generate would change, as a unified diff",
		Long: `Diff renders the spec as generate does, writes nothing, and prints what
generate would change in the output directory as one patch: created,
updated and deleted files, and mode changes. git apply accepts it in the
output directory. It is coloured when stdout is a terminal and NO_COLOR is
not set.

Conflicts that would stop generate are listed on stderr. A managed file
edited by hand appears with the change that generate --force would make.

Diff exits 0 when there is nothing to change, 1 when there is, and 3 when
it cannot compare, as msgen check does.`,
		Example: `  msgen diff
  msgen diff --spec shop/msgen.cue --out shop | less -R`,
		Args: noArgs,
		RunE: runCheckCmd(opts),
	}
	addCheckFlags(cmd, opts)
	return cmd
}
