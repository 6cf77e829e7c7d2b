"""OpenVMI: supplier-collaboration inventory for manufacturers."""
__version__ = "0.1.0"
