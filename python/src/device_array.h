// vyre.Array: a device buffer with a NumPy-like shape, resident on one device across kernel
// calls. Made by vyre.asarray (an upload), vyre.empty / vyre.zeros, kernel calls (outputs) and
// vyre.from_dlpack (adopting the producer's memory where the device can address it).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "vyre/backend/device_buffer.h"
#include "vyre/runtime/shapes.h"

namespace vyre::python {

struct DeviceArray {
  DeviceBuffer buffer;
  Shape shape;  // C order; the product is buffer.count()

  // The contents as a new NumPy array (waits for the device's default stream).
  pybind11::array numpy() const;
};

// A C-contiguous copy of `array` on `device` (its dtype must be one vyre has).
DeviceArray upload_array(const pybind11::array& array, const Device& device,
                         const std::string& what);

void bind_device_array(pybind11::module_& m);

}  // namespace vyre::python
