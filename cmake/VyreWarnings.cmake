# Warnings for vyre's own targets (not for third-party sources).
set(VYRE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
