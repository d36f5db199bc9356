"""Contract double of the few torch calls the diarization runner's pyannote path makes."""
import numpy

__version__ = "2.8.0+contract"


class Tensor:
    def __init__(self, array):
        self._array = array

    @property
    def shape(self):
        return self._array.shape

    @property
    def dtype(self):
        return self._array.dtype

    def unsqueeze(self, dim):
        return Tensor(numpy.expand_dims(self._array, dim))

    def numpy(self):
        return self._array


def from_numpy(array):
    if not isinstance(array, numpy.ndarray):
        raise TypeError("expected a numpy array")
    return Tensor(array)
