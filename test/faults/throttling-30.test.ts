import { throttlingSuite } from './throttling';

throttlingSuite(0.3, 'ta');
