# The front door: `make train` and `make test` each set up .venv first (see .ci/setup).
DATA ?= $(firstword $(EQPROP_DATA) $(wildcard ../shared/data))
ARGS ?=
VENV = . .venv/bin/activate &&

.PHONY: setup train test docs export stale
setup:
	bash .ci/setup
train: setup
	$(VENV) eqprop_train --preset ep17-1h $(if $(DATA),--data $(DATA)) --out runs/ep17-1h $(ARGS)
test:
	bash .ci/run
docs: setup
	$(VENV) PATH="$$PATH$$(command -v quarto >/dev/null || echo :$$PWD/.ci/bin)" nbdev_docs
export: setup
	$(VENV) nbdev_clean && nbdev_export
stale: setup
	$(VENV) cd nbs && python ../.ci/stale_outputs.py $(or $(NBS),[0-9]*.ipynb)
