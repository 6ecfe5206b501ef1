# The README's commands. Each target delegates to scripts/tasks.sh (usable without make).
.PHONY: run test validate bench bundle

run:
	bash scripts/tasks.sh run

test:
	bash scripts/tasks.sh test

validate:
	bash scripts/tasks.sh validate

bench:
	bash scripts/tasks.sh bench

bundle:
	.venv/bin/python scripts/build_offline_bundle.py
